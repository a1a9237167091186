package io.gitwarden.policy;

import java.util.Locale;

/**
 * The catalogue of every refusal git-warden makes. Each reason has a stable code (used in audit events
 * and metrics), the HTTP status used when the whole request is refused, a one-line message that fits
 * git's console, and one line of advice. Messages may take arguments ({@link String#format}) but never a
 * token or credential.
 */
public enum RefusalReason {

	// --- authentication: 401, git asks its credential helper and retries

	/** No {@code Authorization} header. */
	CREDENTIALS_MISSING(401, "authentication required",
			"send the session token as the HTTP password or as 'Authorization: Bearer <token>'"),

	/** Not a JWT, bad signature, wrong algorithm, or missing required claims. */
	TOKEN_INVALID(401, "session token rejected: %s", "ask the orchestrator for a new session token"),

	/** {@code exp} has passed. */
	TOKEN_EXPIRED(401, "session token expired", "ask the orchestrator for a new session token"),

	/** {@code nbf} or {@code iat} is in the future. */
	TOKEN_NOT_YET_VALID(401, "session token is not valid yet", "check the clock of the token issuer"),

	/** The session was revoked by an operator. */
	SESSION_REVOKED(401, "session revoked", "this session may no longer use git-warden"),

	/** No key to verify session tokens with: the JWKS endpoint has not answered yet. */
	TOKEN_KEYS_UNAVAILABLE(503, "session token verification keys are unavailable", "try again later"),

	// --- authorization of the whole request: 403

	/** The token names another repository. */
	REPOSITORY_NOT_IN_SCOPE(403, "this session may not access %s", "this session's token is for one repository only"),

	/** The token lacks the scope for this service. */
	SCOPE_MISSING(403, "this session's token lacks the '%s' scope", "ask the orchestrator for a token with that scope"),

	/** A push scope without a {@code branch} claim. */
	BRANCH_MISSING(403, "this session's token names no branch to push to",
			"ask the orchestrator for a token with a 'branch' claim"),

	/** An RPC body that is not the service's request type. */
	WRONG_CONTENT_TYPE(415, "expected Content-Type %s", "this is not a request git sends"),

	/** Not a smart-HTTP endpoint git-warden serves (dumb HTTP, other services, other paths). */
	NOT_A_GIT_ENDPOINT(404, "not a git smart-HTTP endpoint", "use https://<git-warden>/<owner>/<repo>.git"),

	// --- per-ref push policy: reported as 'ng <ref> <message>'

	/** A branch other than the session's. */
	REF_NOT_SESSION_BRANCH(403, "this session may push only to %s",
			"push your work with: git push origin HEAD:%2$s"),

	/** A tag. */
	TAG_PUSH(403, "this session may not push tags; it may push only to %s",
			"push your work with: git push origin HEAD:%2$s"),

	/** Outside {@code refs/heads/}: HEAD, notes, pull refs, and so on. */
	REF_OUTSIDE_BRANCHES(403, "this session may push only to %s",
			"push your work with: git push origin HEAD:%2$s"),

	/** Deleting the session branch while deletion is disabled. */
	BRANCH_DELETION(403, "this session may not delete %s", "branch deletion is disabled on this server"),

	/** An allowed update in a push that has a refused one: nothing of the push was forwarded. */
	NOT_PUSHED_OTHER_REF_REFUSED(403, "not pushed because another ref in this push was refused",
			"push only your session branch"),

	// --- malformed or unsupported requests

	/** The receive-pack command section is not valid. */
	MALFORMED_REQUEST(400, "malformed receive-pack request: %s", "this is not a request git sends"),

	/** More commands or command bytes than git-warden reads. */
	REQUEST_TOO_LARGE(413, "%s", "push fewer refs at a time"),

	/** The body ended early or could not be read. */
	REQUEST_BODY_INCOMPLETE(400, "request body incomplete", "retry the push"),

	/** A feature git-warden cannot police. */
	UNSUPPORTED_FEATURE(400, "%s", "push without that feature"),

	// --- upstream

	/** Could not connect, timed out, or the connection broke. */
	UPSTREAM_UNAVAILABLE(502, "upstream git server unavailable", "try again later"),

	/** The upstream refused git-warden's own credential. */
	UPSTREAM_CREDENTIALS_REJECTED(502, "upstream git server rejected git-warden's credentials (HTTP %s)",
			"an operator must check git-warden's upstream credential"),

	/** The repository does not exist upstream (or the credential cannot see it). */
	UPSTREAM_NOT_FOUND(404, "repository %s not found upstream", "check the repository name in the session token"),

	/** A stream broke after the response started (client or upstream went away). */
	TRANSFER_FAILED(502, "transfer interrupted", "retry"),

	/**
	 * The GitHub API refused to hand out an installation token (app not installed on the repository,
	 * app credentials rejected, permission not granted): an operator must act.
	 */
	UPSTREAM_CREDENTIAL_UNAVAILABLE(502, "could not obtain an upstream credential: %s",
			"an operator must check git-warden's GitHub App configuration"),

	/** The GitHub API failed, timed out or could not be reached while minting an installation token. */
	UPSTREAM_CREDENTIAL_SERVICE_UNAVAILABLE(503, "could not obtain an upstream credential: %s", "try again later"),

	/** The GitHub API rate limit was reached while minting an installation token. */
	UPSTREAM_CREDENTIAL_RATE_LIMITED(503,
			"could not obtain an upstream credential: GitHub API rate limit reached, retry in %s s",
			"try again later"),

	/** A bug in git-warden; the message carries only the request id. */
	INTERNAL_ERROR(500, "internal error (request %s)", "report the request id to the operator"),

	/** Any other unexpected upstream answer. */
	UPSTREAM_ERROR(502, "upstream git server answered HTTP %s", "try again later");

	private final int httpStatus;

	private final String message;

	private final String advice;

	RefusalReason(int httpStatus, String message, String advice) {
		this.httpStatus = httpStatus;
		this.message = message;
		this.advice = advice;
	}

	/** Stable identifier for audit events and metrics, e.g. {@code ref-not-session-branch}. */
	public String code() {
		return name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

	/**
	 * True for failures of the relay rather than decisions of the policy: the request was allowed, but
	 * the upstream or a stream failed.
	 */
	public boolean isRelayFailure() {
		return name().startsWith("UPSTREAM_") || this == TRANSFER_FAILED;
	}

	/** Status used when this refusal ends the whole HTTP request. */
	public int httpStatus() {
		return this.httpStatus;
	}

	/** The one-line message, with its arguments. */
	public String message(Object... args) {
		return String.format(Locale.ROOT, this.message, args);
	}

	/** One line of advice, with the same arguments. */
	public String advice(Object... args) {
		return String.format(Locale.ROOT, this.advice, args);
	}

}
