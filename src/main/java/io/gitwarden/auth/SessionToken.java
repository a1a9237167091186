package io.gitwarden.auth;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import io.gitwarden.protocol.RepositoryId;

/**
 * A verified session token: what one agent session may do.
 *
 * @param session the session id ({@code sub})
 * @param grants what it may do, one grant per repository (at least one)
 * @param issuedAt {@code iat}, or {@code null} when the token has none
 * @param expiresAt {@code exp}
 * @param tokenSha256 hex SHA-256 of the presented token: a join key for audit, never the token
 */
public record SessionToken(String session, List<Grant> grants, Instant issuedAt, Instant expiresAt,
		String tokenSha256) {

	public SessionToken {
		grants = List.copyOf(grants);
	}

	/** The grant for {@code repository} (compared ignoring case, as repository names are). */
	public Optional<Grant> grantFor(RepositoryId repository) {
		for (Grant grant : this.grants) {
			if (grant.repository().matches(repository)) {
				return Optional.of(grant);
			}
		}
		return Optional.empty();
	}

	/** The repositories granted, for messages: {@code acme/app, acme/lib}. */
	public String repositories() {
		return this.grants.stream().map((grant) -> grant.repository().toString()).collect(Collectors.joining(", "));
	}

}
