package io.gitwarden.alerts;

import java.util.Map;

import io.gitwarden.config.InvalidConfigurationException;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Webhook settings are checked at start-up, naming the property, and never printed. */
class AlertPropertiesTests {

	static AlertProperties bind(Map<String, String> values) {
		return new Binder(new MapConfigurationPropertySource(values)).bindOrCreate("warden.alerts",
				AlertProperties.class);
	}

	@Test
	void defaults() {
		AlertProperties properties = bind(Map.of("warden.alerts.webhooks[0].url", "https://hooks.example.com/x"));
		properties.validate();
		assertThat(properties.denialsThreshold()).isEqualTo(5);
		assertThat(properties.denialsWindow()).hasMinutes(5);
		assertThat(properties.maxAttempts()).isEqualTo(8);
		AlertProperties.Webhook webhook = properties.webhooks().get(0);
		assertThat(webhook.events()).containsExactly("push.denied", "policy.violation", "session.suspicious");
		assertThat(webhook.format()).isEqualTo(AlertProperties.Format.CLOUDEVENTS);
		assertThat(bind(Map.of()).webhooks()).isEmpty();
	}

	@Test
	void invalidWebhooksNameTheProperty() {
		assertRefused(Map.of("warden.alerts.webhooks[0].url", "ftp://example.com/x"), "warden.alerts.webhooks[0].url");
		assertRefused(Map.of("warden.alerts.webhooks[0].secret", "s"), "warden.alerts.webhooks[0].url");
		assertRefused(Map.of("warden.alerts.webhooks[0].url", "https://user:pw@example.com/x"),
				"warden.alerts.webhooks[0].url");
		assertRefused(Map.of("warden.alerts.webhooks[0].url", "https://example.com/x", "warden.alerts.webhooks[0].events",
				"push.denied,push.everything"), "warden.alerts.webhooks[0].events");
		assertRefused(Map.of("warden.alerts.webhooks[0].url", "https://example.com/x", "warden.alerts.webhooks[0].secret",
				" "), "warden.alerts.webhooks[0].secret");
		assertRefused(Map.of("warden.alerts.max-attempts", "0"), "warden.alerts.max-attempts");
		assertRefused(Map.of("warden.alerts.denials-window", "0s"), "warden.alerts.denials-window");
	}

	@Test
	void neitherTheUrlNorTheSecretIsPrinted() {
		AlertProperties properties = bind(Map.of("warden.alerts.webhooks[0].url",
				"https://hooks.slack.com/services/T000/B000/XXXXSECRETPATH", "warden.alerts.webhooks[0].secret",
				"very-secret-value"));
		assertThat(properties.toString()).contains("hooks.slack.com")
			.doesNotContain("XXXXSECRETPATH")
			.doesNotContain("very-secret-value");
	}

	@Test
	void slackTextCannotMentionOrLink() {
		assertThat(AlertMessages.slackEscape("refs/heads/<!channel> & <http://x|y>"))
			.isEqualTo("refs/heads/&lt;!channel&gt; &amp; &lt;http://x|y&gt;");
		assertThat(Alerts.clean("a\nb\u202Ec\u0085d")).isEqualTo("a?b?c?d");
		assertThat(Alerts.clean("x".repeat(500))).hasSize(Alerts.MAX_VALUE + 3);
	}

	private static void assertRefused(Map<String, String> values, String property) {
		assertThatThrownBy(() -> bind(values).validate()).isInstanceOf(InvalidConfigurationException.class)
			.satisfies((ex) -> assertThat(((InvalidConfigurationException) ex).property()).isEqualTo(property));
	}

}
