package io.gitwarden.auth;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import jakarta.validation.constraints.NotBlank;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How session tokens are verified ({@code warden.auth.*}).
 *
 * @param hmacSecret shared HS256/384/512 secret, at least 32 bytes (UTF-8)
 * @param issuer required {@code iss}, or unset to accept any issuer
 * @param audience value {@code aud} must contain (default {@code git-warden})
 * @param clockSkew tolerance for {@code exp}, {@code nbf} and {@code iat} (default 30s)
 * @param maxTokenLifetime longest accepted {@code exp - iat} (or {@code exp - now} without {@code iat})
 * (default 24h)
 */
@Validated
@ConfigurationProperties("warden.auth")
public record AuthProperties(String hmacSecret, String issuer, @DefaultValue("git-warden") @NotBlank String audience,
		@DefaultValue("30s") Duration clockSkew, @DefaultValue("24h") Duration maxTokenLifetime) {

	/** Shortest HMAC secret accepted: HS256 needs a 256-bit key. */
	public static final int MIN_HMAC_SECRET_BYTES = 32;

	public AuthProperties {
		if (hmacSecret != null && hmacSecret.getBytes(StandardCharsets.UTF_8).length < MIN_HMAC_SECRET_BYTES) {
			throw new IllegalArgumentException("warden.auth.hmac-secret must be at least " + MIN_HMAC_SECRET_BYTES
					+ " bytes long");
		}
		if (clockSkew.isNegative() || clockSkew.compareTo(Duration.ofMinutes(10)) > 0) {
			throw new IllegalArgumentException("warden.auth.clock-skew must be between 0 and 10m");
		}
		if (maxTokenLifetime.isNegative() || maxTokenLifetime.isZero()) {
			throw new IllegalArgumentException("warden.auth.max-token-lifetime must be positive");
		}
		if (issuer != null && issuer.isBlank()) {
			issuer = null;
		}
		if (hmacSecret != null && hmacSecret.isEmpty()) {
			hmacSecret = null;
		}
	}

	@Override
	public String toString() {
		// Never print the secret (actuator /configprops, logs of bind failures).
		return "AuthProperties[issuer=" + this.issuer + ", audience=" + this.audience + ", clockSkew=" + this.clockSkew
				+ ", maxTokenLifetime=" + this.maxTokenLifetime + "]";
	}

}
