package io.gitwarden.admin;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The admin API ({@code warden.admin.*}).
 *
 * @param token the bearer token that authenticates calls to {@code /admin/v1}; unset or empty disables
 * the admin API (every {@code /admin/...} path answers 404); at least {@value #MIN_TOKEN_LENGTH}
 * characters when set
 */
@ConfigurationProperties("warden.admin")
public record AdminProperties(String token) {

	/** Shortest admin token accepted: it guards token minting. */
	public static final int MIN_TOKEN_LENGTH = 16;

	public AdminProperties {
		if (token != null && token.isBlank()) {
			token = null;
		}
		if (token != null && token.length() < MIN_TOKEN_LENGTH) {
			throw new IllegalArgumentException(
					"warden.admin.token must be at least " + MIN_TOKEN_LENGTH + " characters long");
		}
	}

	boolean isEnabled() {
		return this.token != null;
	}

	@Override
	public String toString() {
		// Never print the token (actuator /configprops, logs of bind failures).
		return "AdminProperties[enabled=" + isEnabled() + "]";
	}

}
