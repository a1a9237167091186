package io.gitwarden.auth;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How session tokens are verified ({@code warden.auth.*}). Exactly one key source is set:
 * {@code hmac-secret}, {@code public-key} or {@code jwks-uri} (or none, when git-warden verifies the
 * tokens it mints itself with {@code warden.issuer.private-key}, or in the demo mode).
 *
 * @param hmacSecret shared HS256/384/512 secret, at least 32 bytes (UTF-8)
 * @param publicKey PEM public key (RSA, EC P-256/P-384 or Ed25519), as text or {@code file:<path>}
 * @param jwksUri URL of the token issuer's JWK set; {@code kid} picks the key
 * @param jwksCacheDuration how long fetched keys are used before they are refreshed in the background
 * (default 10m)
 * @param jwksRefreshInterval least time between two fetches of the JWK set, also when tokens name an
 * unknown {@code kid} (default 1m)
 * @param jwksTimeout connect and response timeout for fetching the JWK set (default 5s)
 * @param issuer required {@code iss}, or unset to accept any issuer
 * @param audience value {@code aud} must contain (default {@code git-warden})
 * @param clockSkew tolerance for {@code exp}, {@code nbf} and {@code iat} (default 30s)
 * @param maxTokenLifetime longest accepted {@code exp - iat} (or {@code exp - now} without {@code iat})
 * (default 24h)
 */
@ConfigurationProperties("warden.auth")
public record AuthProperties(String hmacSecret, String publicKey, URI jwksUri, String issuer,
		@DefaultValue("git-warden") String audience, @DefaultValue("30s") Duration clockSkew,
		@DefaultValue("24h") Duration maxTokenLifetime, @DefaultValue("10m") Duration jwksCacheDuration,
		@DefaultValue("1m") Duration jwksRefreshInterval, @DefaultValue("5s") Duration jwksTimeout) {

	/** Shortest HMAC secret accepted: HS256 needs a 256-bit key. */
	public static final int MIN_HMAC_SECRET_BYTES = 32;

	public AuthProperties {
		if (audience == null || audience.isBlank()) {
			throw new IllegalArgumentException("warden.auth.audience must not be blank");
		}
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
		if (publicKey != null && publicKey.isBlank()) {
			publicKey = null;
		}
		if (jwksUri != null && jwksUri.toString().isEmpty()) {
			jwksUri = null;
		}
		if (jwksUri != null && (!("https".equals(jwksUri.getScheme()) || "http".equals(jwksUri.getScheme()))
				|| jwksUri.getHost() == null || jwksUri.getRawUserInfo() != null)) {
			throw new IllegalArgumentException("warden.auth.jwks-uri must be an http(s) URL without user info");
		}
		if (jwksCacheDuration.isNegative() || jwksCacheDuration.isZero()) {
			throw new IllegalArgumentException("warden.auth.jwks-cache-duration must be positive");
		}
		if (jwksRefreshInterval.isNegative()) {
			throw new IllegalArgumentException("warden.auth.jwks-refresh-interval must not be negative");
		}
		if (jwksTimeout.isNegative() || jwksTimeout.isZero()) {
			throw new IllegalArgumentException("warden.auth.jwks-timeout must be positive");
		}
	}

	@Override
	public String toString() {
		// Never print the secret (actuator /configprops, logs of bind failures).
		return "AuthProperties[hmacSecret=" + ((this.hmacSecret != null) ? "<set>" : "<unset>") + ", publicKey="
				+ ((this.publicKey != null) ? "<set>" : "<unset>") + ", jwksUri=" + this.jwksUri + ", issuer="
				+ this.issuer + ", audience=" + this.audience + ", clockSkew=" + this.clockSkew + ", maxTokenLifetime="
				+ this.maxTokenLifetime + ", jwksCacheDuration=" + this.jwksCacheDuration + ", jwksRefreshInterval="
				+ this.jwksRefreshInterval + ", jwksTimeout=" + this.jwksTimeout + "]";
	}

}
