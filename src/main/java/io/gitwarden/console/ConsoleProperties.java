package io.gitwarden.console;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The audit console ({@code warden.console.*}), see {@code docs/console.md}.
 *
 * @param enabled serve the console at {@code /console}; unset: on in demo mode, off otherwise
 * @param recent how far back the sessions page and the denials page look by default (default 24h)
 * @param active a session whose last request is more recent than this is shown as active (default 15m)
 * @param maxLiveClients most browsers following live updates at once; more get no live updates (default 50)
 * @param oidc who may use the console after signing in with an OIDC provider
 */
@ConfigurationProperties("warden.console")
public record ConsoleProperties(Boolean enabled, @DefaultValue("24h") Duration recent,
		@DefaultValue("15m") Duration active, @DefaultValue("50") int maxLiveClients, @DefaultValue Oidc oidc) {

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

	/**
	 * Sign-in with an OIDC provider ({@code spring.security.oauth2.client.registration.*}): deny by default, so
	 * at least one of the lists must be set when a registration is configured.
	 *
	 * @param allowedUsers who may use the console: a verified e-mail address (compared ignoring case) or an
	 * OIDC {@code sub}
	 * @param allowedGroups members of any of these groups (the values of the groups claim) may use the console
	 * @param groupsClaim the ID token or user info claim that lists the user's groups (default groups)
	 */
	public record Oidc(List<String> allowedUsers, List<String> allowedGroups, @DefaultValue("groups") String groupsClaim) {

		public Oidc {
			allowedUsers = (allowedUsers != null) ? List.copyOf(allowedUsers) : List.of();
			allowedGroups = (allowedGroups != null) ? List.copyOf(allowedGroups) : List.of();
		}

		/** True when neither list names anybody. */
		boolean allowsNobody() {
			return this.allowedUsers.stream().allMatch(String::isBlank)
					&& this.allowedGroups.stream().allMatch(String::isBlank);
		}

	}

}
