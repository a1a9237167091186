package io.gitwarden.alerts;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import io.gitwarden.config.InvalidConfigurationException;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Alerts sent to webhooks when a session steps outside its bounds ({@code warden.alerts.*}). See
 * {@code docs/alerts.md}.
 *
 * @param webhooks where alerts go: {@code warden.alerts.webhooks[n].url}, {@code .secret}, {@code .events},
 * {@code .format} (default none: no alert is sent, repeated denials are still tracked for the console)
 * @param denialsThreshold a session with more denied requests than this within {@code denials-window} raises a
 * {@code session.suspicious} alert (default 5)
 * @param denialsWindow the window of {@code denials-threshold}; at most one {@code session.suspicious} alert per
 * session and window (default 5m)
 * @param maxTrackedSessions most sessions whose recent denials are tracked; past it the least recently denied
 * is forgotten (default 10000)
 * @param queueSize most alert deliveries waiting or being retried at once; past it new alerts are dropped and
 * counted (default 1000)
 * @param senders threads that deliver alerts (default 2)
 * @param maxAttempts most attempts per delivery, retrying server errors, timeouts and connection failures
 * (default 8)
 * @param backoff wait before the first retry; it doubles with each attempt, with jitter (default 1s)
 * @param maxBackoff longest wait between two attempts (default 5m)
 * @param timeout connect and response timeout of one attempt (default 10s)
 */
@ConfigurationProperties("warden.alerts")
public record AlertProperties(@DefaultValue List<Webhook> webhooks, @DefaultValue("5") int denialsThreshold,
		@DefaultValue("5m") Duration denialsWindow, @DefaultValue("10000") int maxTrackedSessions,
		@DefaultValue("1000") int queueSize, @DefaultValue("2") int senders, @DefaultValue("8") int maxAttempts,
		@DefaultValue("1s") Duration backoff, @DefaultValue("5m") Duration maxBackoff,
		@DefaultValue("10s") Duration timeout) {

	static final String PREFIX = "warden.alerts";

	public AlertProperties {
		webhooks = (webhooks != null) ? List.copyOf(webhooks) : List.of();
	}

	/**
	 * One receiver of alerts.
	 *
	 * @param url where alerts are POSTed ({@code http} or {@code https}); never logged
	 * @param secret key of the HMAC-SHA256 signature of each body, sent as
	 * {@code X-Warden-Signature-256: sha256=<hex>}; unset sends no signature; never logged
	 * @param events which alerts this receiver gets: {@code push.denied}, {@code policy.violation},
	 * {@code request.denied}, {@code session.suspicious}
	 * @param format {@code cloudevents} (a CloudEvents 1.0 JSON event) or {@code slack} (an incoming-webhook
	 * message with a one-line summary)
	 */
	public record Webhook(URI url, String secret,
			@DefaultValue({ "push.denied", "policy.violation", "session.suspicious" }) List<String> events,
			@DefaultValue("cloudevents") Format format) {

		public Webhook {
			events = (events != null) ? List.copyOf(events) : List.of();
		}

		/** The host, the only part of the URL that may be logged. */
		String host() {
			return (this.url != null && this.url.getHost() != null) ? this.url.getHost() : "?";
		}

		boolean wants(AlertType type) {
			return this.events.contains(type.eventName());
		}

		@Override
		public String toString() {
			// Never the URL (a Slack or Teams URL is itself a credential) nor the secret.
			return "Webhook[host=" + host() + ", events=" + this.events + ", format=" + this.format + "]";
		}

	}

	/** What an alert's body looks like. */
	public enum Format {

		/** CloudEvents 1.0, structured mode: {@code application/cloudevents+json}. */
		CLOUDEVENTS,

		/** A Slack incoming-webhook message: {@code {"text": "..."}}. */
		SLACK

	}

	/**
	 * Checks what binding cannot.
	 * @throws InvalidConfigurationException naming the first property that is wrong
	 */
	void validate() {
		for (int i = 0; i < this.webhooks.size(); i++) {
			Webhook webhook = this.webhooks.get(i);
			String name = PREFIX + ".webhooks[" + i + "]";
			if (webhook == null || webhook.url() == null) {
				throw new InvalidConfigurationException(name + ".url", "every webhook needs a url");
			}
			URI url = webhook.url();
			String scheme = (url.getScheme() != null) ? url.getScheme().toLowerCase(Locale.ROOT) : "";
			if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
				throw new InvalidConfigurationException(name + ".url", "must be an http or https URL with a host");
			}
			if (url.getRawUserInfo() != null || url.getRawFragment() != null) {
				throw new InvalidConfigurationException(name + ".url",
						"must not carry user information or a fragment; sign bodies with .secret instead");
			}
			if (webhook.secret() != null && webhook.secret().isBlank()) {
				throw new InvalidConfigurationException(name + ".secret", "is empty; remove it or set a secret");
			}
			if (webhook.events().isEmpty()) {
				throw new InvalidConfigurationException(name + ".events", "names no event; leave it unset for the "
						+ "default (push.denied, policy.violation, session.suspicious)");
			}
			for (String event : webhook.events()) {
				if (AlertType.fromEventName(event) == null) {
					throw new InvalidConfigurationException(name + ".events",
							"unknown event '" + event + "'; use " + AlertType.eventNames());
				}
			}
			if (webhook.format() == null) {
				throw new InvalidConfigurationException(name + ".format", "must be cloudevents or slack");
			}
		}
		positive("denials-threshold", this.denialsThreshold, 1, 1_000_000);
		positive("max-tracked-sessions", this.maxTrackedSessions, 1, 10_000_000);
		positive("queue-size", this.queueSize, 1, 1_000_000);
		positive("senders", this.senders, 1, 64);
		positive("max-attempts", this.maxAttempts, 1, 100);
		duration("denials-window", this.denialsWindow);
		duration("backoff", this.backoff);
		duration("max-backoff", this.maxBackoff);
		duration("timeout", this.timeout);
		if (this.maxBackoff.compareTo(this.backoff) < 0) {
			throw new InvalidConfigurationException(PREFIX + ".max-backoff", "must not be shorter than "
					+ PREFIX + ".backoff");
		}
	}

	private static void positive(String name, int value, int min, int max) {
		if (value < min || value > max) {
			throw new InvalidConfigurationException(PREFIX + "." + name, "must be between " + min + " and " + max);
		}
	}

	private static void duration(String name, Duration value) {
		if (value == null || value.isNegative() || value.isZero()) {
			throw new InvalidConfigurationException(PREFIX + "." + name, "must be a positive duration");
		}
	}

}
