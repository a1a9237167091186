package io.gitwarden.auth;

import java.security.Key;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Set;
import java.util.stream.Collectors;

import io.gitwarden.policy.Permission;
import io.gitwarden.protocol.RepositoryId;
import io.jsonwebtoken.JwtBuilder;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.SecureDigestAlgorithm;

/**
 * Mints session tokens with git-warden's own signing key: for the zero-configuration demo and for
 * orchestrators that prefer not to hold the key (admin API). The key is the shared HMAC secret or
 * {@code warden.issuer.private-key}; with neither (tokens verified by a public key or JWKS that only the
 * orchestrator can sign for), git-warden cannot mint and {@link #canIssue()} is false.
 */
public final class SessionTokenIssuer {

	private final Key signingKey;

	private final String algorithm;

	private final String keyId;

	private final AuthProperties properties;

	private final Clock clock;

	/** Signs with {@code signingKey}, letting jjwt choose the algorithm (HS256 for a 256-bit secret). */
	public SessionTokenIssuer(Key signingKey, AuthProperties properties, Clock clock) {
		this(signingKey, null, null, properties, clock);
	}

	/**
	 * @param signingKey the key, or {@code null} when git-warden has none to sign with
	 * @param algorithm the JWS {@code alg}, or {@code null} to let jjwt choose from the key
	 * @param keyId the {@code kid} header, or {@code null} for none
	 */
	SessionTokenIssuer(Key signingKey, String algorithm, String keyId, AuthProperties properties, Clock clock) {
		this.signingKey = signingKey;
		this.algorithm = algorithm;
		this.keyId = keyId;
		this.properties = properties;
		this.clock = clock;
	}

	/** True when git-warden has a key to sign session tokens with. */
	public boolean canIssue() {
		return this.signingKey != null;
	}

	/**
	 * @param session the session id ({@code sub})
	 * @param repository the one repository
	 * @param branch the branch short name, or {@code null} for a fetch-only session
	 * @param permissions the scopes
	 * @param ttl lifetime, at most {@code warden.auth.max-token-lifetime}
	 * @return the compact JWT
	 * @throws IllegalStateException when git-warden has no signing key ({@link #canIssue()})
	 */
	public IssuedToken issue(String session, RepositoryId repository, String branch, Set<Permission> permissions,
			Duration ttl) {
		if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(this.properties.maxTokenLifetime()) > 0) {
			throw new IllegalArgumentException("ttl must be positive and at most " + this.properties.maxTokenLifetime());
		}
		if (this.signingKey == null) {
			throw new IllegalStateException("git-warden has no key to sign session tokens with: set "
					+ "warden.issuer.private-key (or warden.auth.hmac-secret)");
		}
		Instant now = this.clock.instant();
		Instant expiresAt = now.plus(ttl);
		var builder = Jwts.builder()
			.subject(session)
			.audience()
			.add(this.properties.audience())
			.and()
			.issuedAt(Date.from(now))
			.expiration(Date.from(expiresAt))
			.claim("repo", repository.toString())
			.claim("scope", permissions.stream().map(Permission::scopeName).sorted().collect(Collectors.joining(" ")));
		if (this.properties.issuer() != null) {
			builder.issuer(this.properties.issuer());
		}
		if (branch != null) {
			builder.claim("branch", branch);
		}
		return new IssuedToken(sign(builder), session, expiresAt);
	}

	@SuppressWarnings("unchecked")
	private String sign(JwtBuilder builder) {
		if (this.keyId != null) {
			builder.header().keyId(this.keyId);
		}
		if (this.algorithm == null) {
			return builder.signWith(this.signingKey).compact();
		}
		SecureDigestAlgorithm<Key, ?> algorithm = (SecureDigestAlgorithm<Key, ?>) Jwts.SIG.get().forKey(this.algorithm);
		return builder.signWith(this.signingKey, algorithm).compact();
	}

	/** Mints the token a validated request asks for. */
	public IssuedToken issue(MintRequest request) {
		return issue(request.session(), request.repository(), request.branch(), request.permissions(), request.ttl());
	}

	/**
	 * @param token the compact JWT
	 * @param session its {@code sub}
	 * @param expiresAt its {@code exp}
	 */
	public record IssuedToken(String token, String session, Instant expiresAt) {

		@Override
		public String toString() {
			return "IssuedToken[session=" + this.session + ", expiresAt=" + this.expiresAt + "]";
		}

	}

}
