package io.gitwarden.refusal;

/**
 * What kind of refusal a {@link RefusalReason} is. The category, not an HTTP status, decides how a
 * request is recorded ({@link Decision}) and which status the edge answers with.
 */
public enum Category {

	/** No usable session credential: missing, malformed, expired, revoked. */
	AUTHENTICATION,

	/** A valid session asking for something its grant does not cover (repository, scope, ref). */
	AUTHORIZATION,

	/** Allowed refs, refused content: what a push carries breaks a content rule. */
	POLICY,

	/** Not a request git-warden serves, or one it cannot read (malformed, too large, too slow). */
	PROTOCOL,

	/** The upstream (git host, GitHub API, token issuer) failed or answered what cannot be relayed. */
	UPSTREAM,

	/** git-warden itself could not serve the request (a bug, or no capacity left). */
	INTERNAL

}
