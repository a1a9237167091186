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
import io.jsonwebtoken.Jwts;

/**
 * Mints session tokens with git-warden's own signing key: for the zero-configuration demo and for
 * orchestrators that prefer not to hold the key (admin API).
 */
public final class SessionTokenIssuer {

	private final Key signingKey;

	private final AuthProperties properties;

	private final Clock clock;

	public SessionTokenIssuer(Key signingKey, AuthProperties properties, Clock clock) {
		this.signingKey = signingKey;
		this.properties = properties;
		this.clock = clock;
	}

	/**
	 * @param session the session id ({@code sub})
	 * @param repository the one repository
	 * @param branch the branch short name, or {@code null} for a fetch-only session
	 * @param permissions the scopes
	 * @param ttl lifetime, at most {@code warden.auth.max-token-lifetime}
	 * @return the compact JWT
	 */
	public IssuedToken issue(String session, RepositoryId repository, String branch, Set<Permission> permissions,
			Duration ttl) {
		if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(this.properties.maxTokenLifetime()) > 0) {
			throw new IllegalArgumentException("ttl must be positive and at most " + this.properties.maxTokenLifetime());
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
		return new IssuedToken(builder.signWith(this.signingKey).compact(), session, expiresAt);
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
