package io.gitwarden.alerts;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import io.gitwarden.audit.AuditSink;
import io.gitwarden.audit.RecordedEvent;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Raises alerts from the audit trail. It sees every event exactly as recorded (with its refs, refusals and
 * findings); on the request's thread it only looks at the event's decision and, for a denial, offers it to a
 * bounded queue (never waiting: a full queue drops the alert and counts it). One dispatcher thread then reads
 * the event, decides its kind ({@link Alerts}), tracks the session's denials ({@link DenialTracker}) and hands
 * the alerts to {@link WebhookDelivery}.
 */
final class AlertSink implements AuditSink, SuspiciousSessions, AutoCloseable {

	private static final Log logger = LogFactory.getLog(AlertSink.class);

	private final AlertProperties properties;

	private final JsonMapper json;

	private final Alerts alerts;

	private final DenialTracker tracker;

	private final WebhookDelivery delivery;

	private final BlockingQueue<RecordedEvent> queue;

	private final Thread dispatcher;

	private volatile boolean running = true;

	AlertSink(AlertProperties properties, JsonMapper json, DenialTracker tracker, WebhookDelivery delivery) {
		this.properties = properties;
		this.json = json;
		this.alerts = new Alerts(json);
		this.tracker = tracker;
		this.delivery = delivery;
		this.queue = new ArrayBlockingQueue<>(properties.queueSize());
		this.dispatcher = new Thread(this::dispatch, "warden-alerts-dispatcher");
		this.dispatcher.setDaemon(true);
		this.dispatcher.start();
	}

	@Override
	public void append(RecordedEvent event) {
		if (!"denied".equals(event.decision())) {
			return;
		}
		if (!this.queue.offer(event)) {
			this.delivery.droppedBeforeDispatch(event.requestId());
		}
	}

	private void dispatch() {
		while (this.running || !this.queue.isEmpty()) {
			RecordedEvent event;
			try {
				event = this.queue.poll(200, TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			if (event == null) {
				continue;
			}
			try {
				handle(event);
			}
			catch (Throwable ex) {
				logger.error("Could not raise the alert for request " + event.requestId() + ": "
						+ ex.getClass().getName());
			}
		}
	}

	private void handle(RecordedEvent recorded) {
		JsonNode event = this.json.readTree(recorded.json());
		Alert alert = this.alerts.denied(event);
		if (alert == null) {
			return;
		}
		List<AlertProperties.Webhook> webhooks = this.properties.webhooks();
		this.delivery.deliver(alert, webhooks);
		if (alert.session() != null) {
			JsonNode reason = event.get("reason");
			DenialTracker.Suspicion suspicion = this.tracker.denied(alert.session(), alert.time(),
					Alerts.text(event, "repo"), Alerts.refusedRefs(event),
					(reason != null) ? Alerts.text(reason, "code") : null);
			if (suspicion != null) {
				logger.warn("Suspicious session " + Alerts.clean(alert.session()) + ": " + suspicion.denials()
						+ " denied requests within " + this.properties.denialsWindow());
				this.delivery.deliver(this.alerts.suspicious(suspicion), webhooks);
			}
		}
	}

	WebhookDelivery delivery() {
		return this.delivery;
	}

	/** Whether the session raised a {@code session.suspicious} alert within the last window. */
	@Override
	public boolean isSuspicious(String session) {
		return this.tracker.isSuspicious(session, Instant.now());
	}

	@Override
	public void close() {
		this.running = false;
		try {
			this.dispatcher.join(2000);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		this.delivery.close();
	}

}
