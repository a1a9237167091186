package io.gitwarden.auth;

import java.time.Duration;

/** {@link AuthProperties} for unit tests: the defaults, with the few settings a test varies. */
final class TestAuthProperties {

	private TestAuthProperties() {
	}

	static AuthProperties of(String hmacSecret, String issuer, Duration maxTokenLifetime) {
		return new AuthProperties(hmacSecret, null, null, issuer, "git-warden", Duration.ofSeconds(30),
				maxTokenLifetime, Duration.ofMinutes(10), Duration.ofMinutes(1), Duration.ofSeconds(5));
	}

}
