package io.gitwarden.console;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.gitwarden.audit.AuditSink;
import io.gitwarden.audit.RecordedEvent;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.SmartLifecycle;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Live updates for the console: every event this instance records (git requests, not console or admin
 * calls) is sent, as server-sent events, to the browsers whose page filter it matches. On the request's thread
 * an event is only offered to a bounded queue when someone follows (a full queue drops it: the pages still
 * show it on reload); one thread writes to the browsers. At most {@code warden.console.max-live-clients}
 * browsers follow at once. With several replicas, a page sees the live events of the replica it is connected
 * to (the page itself reads the whole fleet's events from the shared store).
 * <p>
 * On shutdown the streams are completed before the web server's graceful shutdown starts waiting for
 * requests to finish: an open console tab must not hold a terminating replica for
 * {@code spring.lifecycle.timeout-per-shutdown-phase}.
 */
final class ConsoleFeed implements AuditSink, SmartLifecycle, AutoCloseable {

	static final long TIMEOUT_MILLIS = TimeUnit.MINUTES.toMillis(30);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final int maxClients;

	private final Map<SseEmitter, PageFilter> clients = new ConcurrentHashMap<>();

	private final BlockingQueue<RecordedEvent> queue = new ArrayBlockingQueue<>(1000);

	private final Thread sender;

	private volatile boolean running = true;

	ConsoleFeed(int maxClients) {
		this.maxClients = maxClients;
		this.sender = new Thread(this::send, "warden-console-feed");
		this.sender.setDaemon(true);
		this.sender.start();
	}

	/**
	 * What a page shows; {@code null} fields match everything.
	 *
	 * @param session one session
	 * @param repo one repository (ignoring case)
	 * @param decision one decision
	 * @param reason one refusal code
	 */
	record PageFilter(String session, String repo, String decision, String reason) {

		boolean matches(EventView event) {
			return (this.session == null || this.session.equals(event.session()))
					&& (this.repo == null || this.repo.equalsIgnoreCase(event.repo()))
					&& (this.decision == null || this.decision.equals(event.decision()))
					&& (this.reason == null || this.reason.equals(event.reasonCode()));
		}

	}

	/** A new follower, or {@code null} when too many follow already. */
	SseEmitter follow(PageFilter filter) {
		if (!this.running || this.clients.size() >= this.maxClients) {
			return null;
		}
		SseEmitter emitter = new SseEmitter(TIMEOUT_MILLIS);
		emitter.onCompletion(() -> this.clients.remove(emitter));
		emitter.onTimeout(() -> this.clients.remove(emitter));
		emitter.onError((ex) -> this.clients.remove(emitter));
		this.clients.put(emitter, filter);
		try {
			emitter.send(SseEmitter.event().comment("following"));
		}
		catch (IOException ex) {
			this.clients.remove(emitter);
		}
		return emitter;
	}

	int clients() {
		return this.clients.size();
	}

	@Override
	public void append(RecordedEvent event) {
		if (!this.clients.isEmpty()) {
			this.queue.offer(event);
		}
	}

	private void send() {
		while (this.running) {
			RecordedEvent recorded;
			try {
				recorded = this.queue.poll(500, TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			if (recorded == null) {
				continue;
			}
			try {
				JsonNode node = JSON.readTree(recorded.json());
				if ("admin".equals(EventView.text(node, "operation"))) {
					continue;
				}
				EventView event = EventView.of(node);
				String data = JSON.writeValueAsString(event.live());
				this.clients.forEach((emitter, filter) -> {
					if (filter.matches(event)) {
						try {
							emitter.send(SseEmitter.event().name("audit").data(data, MediaType.APPLICATION_JSON));
						}
						catch (IOException | IllegalStateException ex) {
							this.clients.remove(emitter);
						}
					}
				});
			}
			catch (RuntimeException ex) {
				// a damaged event is skipped; the page shows it on reload
			}
		}
	}

	@Override
	public void start() {
		// the sender starts with the feed; nothing else to start
	}

	@Override
	public void stop() {
		close();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/** Before the web server's graceful shutdown (and its stop), which wait for open requests. */
	@Override
	public int getPhase() {
		return SmartLifecycle.DEFAULT_PHASE;
	}

	@Override
	public void close() {
		this.running = false;
		this.clients.keySet().forEach(SseEmitter::complete);
		this.clients.clear();
	}

}
