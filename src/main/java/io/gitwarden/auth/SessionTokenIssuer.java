package io.gitwarden.auth;

import java.security.Key;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;

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
	 * A token with one grant in the compact form ({@code repo}, {@code branch}, {@code scope}).
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
		return issue(session, List.of(Grant.single(repository, branch, permissions)), ttl);
	}

	/**
	 * A token with the given grants: in the compact form when there is one grant with at most one exact
	 * branch and no tags, otherwise as a {@code grants} claim.
	 * @throws IllegalStateException when git-warden has no signing key ({@link #canIssue()})
	 */
	public IssuedToken issue(String session, List<Grant> grants, Duration ttl) {
		if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(this.properties.maxTokenLifetime()) > 0) {
			throw new IllegalArgumentException("ttl must be positive and at most " + this.properties.maxTokenLifetime());
		}
		if (grants.isEmpty() || grants.size() > Grant.MAX_GRANTS) {
			throw new IllegalArgumentException("a token carries 1 to " + Grant.MAX_GRANTS + " grants");
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
			.expiration(Date.from(expiresAt));
		Grant only = grants.get(0);
		if (grants.size() == 1 && only.tags().isEmpty() && only.branches().size() <= 1
				&& only.branches().stream().noneMatch(RefPattern::isGlob)) {
			builder.claim("repo", only.repository().toString()).claim("scope", only.scope());
			if (!only.branches().isEmpty()) {
				builder.claim("branch", only.branches().get(0).text());
			}
		}
		else {
			builder.claim("grants", grants.stream().map(Grant::toClaim).toList());
		}
		if (this.properties.issuer() != null) {
			builder.issuer(this.properties.issuer());
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

	/**
	 * Mints the token a validated request asks for.
	 * @throws MintRequest.Invalid when the token would be longer than {@link MintRequest#MAX_TOKEN_LENGTH}
	 * (too many grants or patterns for git to send it)
	 */
	public IssuedToken issue(MintRequest request) {
		IssuedToken issued = issue(request.session(), request.grants(), request.ttl());
		if (issued.token().length() > MintRequest.MAX_TOKEN_LENGTH) {
			throw new MintRequest.Invalid("these grants make a token of " + issued.token().length()
					+ " characters, more than the " + MintRequest.MAX_TOKEN_LENGTH
					+ " git can send in a header; name fewer grants or patterns");
		}
		return issued;
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
