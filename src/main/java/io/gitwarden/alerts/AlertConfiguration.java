package io.gitwarden.alerts;

import java.io.IOException;
import java.net.InetAddress;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Alerts: an audit sink that sees every recorded event, tracks denials per session and sends alerts to the
 * configured webhooks off the request path. Settings are checked at start-up.
 */
@Configuration(proxyBeanMethods = false)
class AlertConfiguration {

	private static final Log logger = LogFactory.getLog(AlertConfiguration.class);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Bean(destroyMethod = "close")
	AlertSink alertSink(AlertProperties properties, ObjectProvider<MeterRegistry> registry) {
		properties.validate();
		WebhookDelivery delivery = new WebhookDelivery(properties, new AlertMessages(JSON, "/git-warden/" + host()));
		DenialTracker tracker = new DenialTracker(properties.denialsThreshold(), properties.denialsWindow(),
				properties.maxTrackedSessions());
		AlertSink sink = new AlertSink(properties, JSON, tracker, delivery);
		registry.ifAvailable((meters) -> {
			FunctionCounter.builder("warden.alerts.delivered", delivery, WebhookDelivery::delivered)
				.description("Alerts a webhook accepted")
				.register(meters);
			FunctionCounter.builder("warden.alerts.failed", delivery, WebhookDelivery::failedAttempts)
				.description("Alert delivery attempts that failed (each retry counts)")
				.register(meters);
			for (WebhookDelivery.DropCause cause : WebhookDelivery.DropCause.values()) {
				FunctionCounter.builder("warden.alerts.dropped", delivery, (d) -> d.dropped(cause))
					.description("Alerts not delivered (they remain in the audit trail)")
					.tag("cause", cause.tag())
					.register(meters);
			}
			Gauge.builder("warden.alerts.pending", delivery, WebhookDelivery::pending)
				.description("Alert deliveries waiting, running or waiting for a retry")
				.register(meters);
		});
		if (!properties.webhooks().isEmpty()) {
			StringBuilder hosts = new StringBuilder();
			for (int i = 0; i < properties.webhooks().size(); i++) {
				AlertProperties.Webhook webhook = properties.webhooks().get(i);
				hosts.append((i > 0) ? ", " : "").append('#').append(i + 1).append(' ').append(webhook.host())
					.append(' ').append(webhook.format().name().toLowerCase(java.util.Locale.ROOT))
					.append(' ').append(webhook.events());
			}
			logger.info("Alerts go to " + properties.webhooks().size() + " webhook(s): " + hosts);
		}
		return sink;
	}

	private static String host() {
		try {
			return InetAddress.getLocalHost().getHostName();
		}
		catch (IOException ex) {
			return "unknown";
		}
	}

}
