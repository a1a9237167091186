package io.gitwarden.console;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The audit console ({@code warden.console.*}), see {@code docs/console.md}.
 *
 * @param enabled serve the console at {@code /console}; unset: on in demo mode, off otherwise
 * @param recent how far back the sessions page and the denials page look by default (default 24h)
 * @param active a session whose last request is more recent than this is shown as active (default 15m)
 * @param maxLiveClients most browsers following live updates at once; more get no live updates (default 50)
 */
@ConfigurationProperties("warden.console")
public record ConsoleProperties(Boolean enabled, @DefaultValue("24h") Duration recent,
		@DefaultValue("15m") Duration active, @DefaultValue("50") int maxLiveClients) {

	/** The property that turns the console on or off. */
	static final String ENABLED = "warden.console.enabled";

	public ConsoleProperties {
		if (recent.isNegative() || recent.isZero() || recent.compareTo(Duration.ofDays(31)) > 0) {
			throw new IllegalArgumentException("warden.console.recent must be between 1s and 31d");
		}
		if (maxLiveClients < 0) {
			throw new IllegalArgumentException("warden.console.max-live-clients must not be negative");
		}
	}

}
