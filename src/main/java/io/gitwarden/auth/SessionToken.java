package io.gitwarden.auth;

import java.time.Instant;
import java.util.Set;

import io.gitwarden.policy.Permission;
import io.gitwarden.protocol.RepositoryId;

/**
 * A verified session token: what one agent session may do.
 *
 * @param session the session id ({@code sub})
 * @param repository the one repository it may access ({@code repo})
 * @param branch the branch short name it may push to ({@code branch}), or {@code null}
 * @param permissions granted by {@code scope}
 * @param expiresAt {@code exp}
 * @param tokenSha256 hex SHA-256 of the presented token: a join key for audit, never the token
 * @param issuedAt {@code iat}, or {@code null} when the token has none
 */
public record SessionToken(String session, RepositoryId repository, String branch, Set<Permission> permissions,
		Instant expiresAt, String tokenSha256, Instant issuedAt) {

	/** A token without {@code iat}. */
	public SessionToken(String session, RepositoryId repository, String branch, Set<Permission> permissions,
			Instant expiresAt, String tokenSha256) {
		this(session, repository, branch, permissions, expiresAt, tokenSha256, null);
	}

	public boolean has(Permission permission) {
		return this.permissions.contains(permission);
	}

}
