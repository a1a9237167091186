package io.gitwarden.upstream;

import io.gitwarden.policy.Permission;
import io.gitwarden.protocol.RepositoryId;

/**
 * The real credential attached to forwarded requests. Implementations may narrow it to the repository
 * and access at hand (a GitHub App installation token); the value never leaves git-warden except in
 * the upstream request's {@code Authorization} header.
 */
public interface UpstreamCredentials {

	/**
	 * @param repository the repository being accessed (as named in the session token)
	 * @param access {@link Permission#FETCH} or {@link Permission#PUSH}
	 * @return the full {@code Authorization} header value
	 * @throws io.gitwarden.refusal.Refusal when no credential can be had (the client gets a 502/503)
	 */
	String authorization(RepositoryId repository, Permission access);

	/**
	 * The credential for a GitHub REST or GraphQL API call, as GitHub's API wants it
	 * ({@code Bearer <token>}).
	 * @param repository the repository the call concerns (as named in the session token)
	 * @param permissions what the call needs; a GitHub App's token is narrowed to exactly that
	 * @return the full {@code Authorization} header value
	 * @throws io.gitwarden.refusal.Refusal when no credential can be had (the client gets a 502/503)
	 */
	String apiAuthorization(RepositoryId repository, TokenPermissions permissions);

}
