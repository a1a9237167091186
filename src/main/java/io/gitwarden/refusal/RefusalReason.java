package io.gitwarden.refusal;

import java.util.Locale;

/**
 * The catalogue of every refusal git-warden makes, independent of HTTP. Each reason has a stable code
 * (audit events, metrics, alerts), a {@link Category}, a one-line message that fits git's console, and
 * one line of advice. Messages may take arguments ({@link String#format}) but never a token, a
 * credential or a secret found in content. How a reason is put on the wire (HTTP status, git's
 * pkt-line {@code ERR}, a report-status {@code ng} line, GitHub's or LFS's JSON error) is decided at
 * the edge, in one place per wire format.
 */
public enum RefusalReason {

	// --- authentication: git asks its credential helper and retries

	/** No credentials at all: git's normal first request, answered with a challenge. */
	CREDENTIALS_MISSING(Category.AUTHENTICATION, "authentication required",
			"send the session token as the HTTP password or as 'Authorization: Bearer <token>'"),

	/** Not a JWT, bad signature, wrong algorithm, missing or invalid claims, malformed credentials. */
	TOKEN_INVALID(Category.AUTHENTICATION, "session token rejected: %s", "ask the orchestrator for a new session token"),

	/** {@code exp} has passed. */
	TOKEN_EXPIRED(Category.AUTHENTICATION, "session token expired", "ask the orchestrator for a new session token"),

	/** {@code nbf} or {@code iat} is in the future. */
	TOKEN_NOT_YET_VALID(Category.AUTHENTICATION, "session token is not valid yet", "check the clock of the token issuer"),

	/** A wrong admin token on the admin API or the console. */
	ADMIN_TOKEN_INVALID(Category.AUTHENTICATION, "admin token rejected", "send 'Authorization: Bearer <warden.admin.token>'"),

	/** The session was revoked by an operator. */
	SESSION_REVOKED(Category.AUTHENTICATION, "session revoked", "this session may no longer use git-warden"),

	// --- authorization of the whole request

	/** The token grants nothing on the repository of the URL. */
	REPOSITORY_NOT_IN_SCOPE(Category.AUTHORIZATION, "this session may not access %s",
			"this session's token grants %2$s"),

	/** The token's grant for the repository lacks the scope for this request. */
	SCOPE_MISSING(Category.AUTHORIZATION, "this session's token lacks the '%s' scope for %s",
			"ask the orchestrator for a token with that scope"),

	/** A push scope without any branch or tag to push to. */
	BRANCH_MISSING(Category.AUTHORIZATION, "this session's token names no branch to push to",
			"ask the orchestrator for a token with a 'branch' claim"),

	// --- per-ref push authorization: reported as 'ng <ref> <message>'

	/** A branch the grant does not name. */
	REF_NOT_SESSION_BRANCH(Category.AUTHORIZATION, "this session may push only to %s",
			"push your work with: git push origin HEAD:%2$s"),

	/** A tag the grant does not name. */
	TAG_PUSH(Category.AUTHORIZATION, "this session may not push this tag; it may push only to %s",
			"push your work with: git push origin HEAD:%2$s"),

	/** Moving or deleting an existing tag. */
	TAG_UPDATE(Category.AUTHORIZATION, "tags may be created, not moved or deleted",
			"create a new tag instead of moving %s"),

	/** Outside {@code refs/heads/} and {@code refs/tags/}: HEAD, notes, pull refs, and so on. */
	REF_OUTSIDE_BRANCHES(Category.AUTHORIZATION, "this session may push only to %s",
			"push your work with: git push origin HEAD:%2$s"),

	/** A branch no session may touch ({@code warden.policy.protected-branches}). */
	PROTECTED_BRANCH(Category.AUTHORIZATION, "%s is protected; this session may push only to %s",
			"push your work with: git push origin HEAD:%3$s, then open a pull request"),

	/** Deleting a branch while deletion is disabled. */
	BRANCH_DELETION(Category.AUTHORIZATION, "this session may not delete %s", "branch deletion is disabled on this server"),

	/** An allowed update in a push that has a refused one: nothing of the push was forwarded. */
	NOT_PUSHED_OTHER_REF_REFUSED(Category.POLICY, "not pushed because another ref in this push was refused",
			"fix the refused refs and push again"),

	// --- content policy of a push (per ref, with findings)

	/** A change under a protected path (CI workflows by default). */
	PROTECTED_PATH(Category.POLICY, "this push changes a protected path",
			"remove the change to protected paths (%s) from these commits"),

	/** A credential in added content. */
	SECRET_DETECTED(Category.POLICY, "this push adds a secret",
			"remove the secret from every commit of the push (rewrite them) and use a secret store"),

	/** A new file larger than {@code warden.policy.max-file-size}. */
	FILE_TOO_LARGE(Category.POLICY, "this push adds a file larger than %s", "keep large files out of the repository"),

	/** A non-fast-forward update while force pushes are refused. */
	NON_FAST_FORWARD(Category.POLICY, "non-fast-forward update of %s refused",
			"fetch, rebase or merge onto the remote branch, then push without --force"),

	/** The pack carries objects that no pushed ref reaches. */
	UNREFERENCED_OBJECTS(Category.POLICY, "the pack carries objects that no pushed ref reaches",
			"push with a standard git client"),

	/** A commit author or committer email that {@code warden.policy.commit-email} does not accept. */
	COMMIT_EMAIL(Category.POLICY, "this push has commits by an email address that is not allowed",
			"set user.email to an allowed address and rewrite the commits"),

	/** The push could not be inspected (mirror unavailable, corrupt pack, limits): refused, fail closed. */
	INSPECTION_FAILED(Category.POLICY, "this push could not be inspected: %s", "retry the push; if it persists, ask the operator"),

	// --- Git LFS

	/** An LFS object larger than {@code warden.lfs.max-object-size}. */
	LFS_OBJECT_TOO_LARGE(Category.POLICY, "LFS object %s is larger than %s (warden.lfs.max-object-size)",
			"keep LFS objects under %2$s, or ask the operator to raise the limit"),

	/** The session's LFS uploads would pass {@code warden.lfs.max-upload-bytes-per-session}. */
	LFS_UPLOAD_QUOTA(Category.POLICY,
			"this session may upload at most %s of LFS objects (warden.lfs.max-upload-bytes-per-session)",
			"upload fewer or smaller LFS objects, or ask the orchestrator for a new session"),

	/** An upload whose size or SHA-256 is not the object's: nothing of it was stored. */
	LFS_OBJECT_MISMATCH(Category.PROTOCOL, "LFS upload refused: %s", "upload the object's exact content"),

	/** A transfer URL that is not git-warden's, or was changed, or is used for another object or repository. */
	LFS_TRANSFER_INVALID(Category.AUTHORIZATION, "LFS transfer URL rejected: %s",
			"let git lfs ask for a new transfer URL (batch API)"),

	/** A transfer URL past its expiry. */
	LFS_TRANSFER_EXPIRED(Category.AUTHORIZATION, "LFS transfer URL expired",
			"let git lfs ask for a new transfer URL (batch API)"),

	/** A transfer URL that already served its one transfer, or is serving it now. */
	LFS_TRANSFER_USED(Category.AUTHORIZATION, "LFS transfer URL already used",
			"let git lfs ask for a new transfer URL (batch API)"),

	/** {@code force: true} on an unlock: other users' locks cannot be deleted through git-warden. */
	LFS_LOCK_FORCE(Category.AUTHORIZATION, "LFS locks may not be force-deleted through git-warden",
			"ask the owner of the lock to unlock it"),

	// --- requests git-warden does not serve or cannot read

	/** Not an endpoint git-warden serves (dumb HTTP, other services, other paths). */
	NOT_A_GIT_ENDPOINT(Category.PROTOCOL, "not a git smart-HTTP endpoint", "use https://<git-warden>/<owner>/<repo>.git"),

	/** Refused before routing: path tricks, invalid encodings, oversized or invalid headers. */
	REQUEST_REJECTED(Category.PROTOCOL, "request rejected: %s", "this is not a request git sends"),

	/** An RPC body that is not the service's request type. */
	WRONG_CONTENT_TYPE(Category.PROTOCOL, "expected Content-Type %s", "this is not a request git sends"),

	/** A request body that cannot be decoded (not gzip although labelled so, an unknown encoding). */
	BAD_CONTENT_ENCODING(Category.PROTOCOL, "request body could not be decoded: %s", "send the body as git does"),

	/** The receive-pack command section or another git request is not valid. */
	MALFORMED_REQUEST(Category.PROTOCOL, "malformed request: %s", "this is not a request git sends"),

	/** More commands, bytes or decoded bytes than git-warden reads. */
	REQUEST_TOO_LARGE(Category.PROTOCOL, "%s", "push fewer refs or smaller files at a time"),

	/** The body ended early, broke, or arrived too slowly. */
	REQUEST_BODY_INCOMPLETE(Category.PROTOCOL, "request body incomplete: %s", "retry"),

	/** Valid git, but a feature git-warden cannot police. */
	UNSUPPORTED_FEATURE(Category.PROTOCOL, "%s", "push without that feature"),

	// --- the GitHub API for the session (/api/v3, /api/graphql); the advice says what the session may do

	/** A REST call outside the allowlist (merging, workflows, settings, another owner, deleting, ...). */
	API_CALL_REFUSED(Category.AUTHORIZATION, "%s is not allowed through git-warden", "%2$s"),

	/** A GraphQL document that reaches outside what the session may read or change. */
	GRAPHQL_REFUSED(Category.AUTHORIZATION, "GraphQL %s is not allowed through git-warden", "%2$s"),

	/** A pull request opened from a branch the grant does not name (or a protected one). */
	PR_HEAD_NOT_SESSION_BRANCH(Category.AUTHORIZATION, "this session may open pull requests only from its branch %s",
			"push your work to %2$s, then: gh pr create --head %2$s"),

	/** Updating or commenting on a pull request (or an issue) that is not from the session's branch. */
	PR_NOT_SESSIONS(Category.AUTHORIZATION, "#%s is not a pull request from this session's branch %s",
			"this session may update and comment on pull requests from %2$s only"),

	/** A pull request update that changes something other than title, body, state or draft. */
	PR_FIELD_REFUSED(Category.AUTHORIZATION, "changing %s of a pull request is not allowed through git-warden",
			"change only the title, body, state (open or closed) or draft status"),

	/** A GraphQL document git-warden does not read: malformed, several operations, too large or too deep. */
	GRAPHQL_INVALID(Category.PROTOCOL, "GraphQL request refused: %s",
			"send one query or mutation, with its variables, of at most %2$s"),

	/** A GitHub API request body that is not what the GitHub API documents. */
	API_REQUEST_INVALID(Category.PROTOCOL, "invalid GitHub API request: %s", "send the JSON body the GitHub API documents"),

	/** The embedded demo upstream has no GitHub API. */
	API_NOT_IN_DEMO(Category.PROTOCOL, "the GitHub API is not available in demo mode",
			"configure warden.upstream.url and a GitHub credential (docs/github-api.md)"),

	/** The pull request a write names does not exist (or the upstream credential cannot see it). */
	PULL_REQUEST_NOT_FOUND(Category.UPSTREAM, "pull request #%s not found in %s", "check the pull request number"),

	/** A check git-warden makes with the GitHub API before a write failed. */
	API_CHECK_FAILED(Category.UPSTREAM, "git-warden could not check %s with the GitHub API (HTTP %s)", "try again later"),

	/** A JSON answer larger than git-warden rewrites. */
	API_RESPONSE_TOO_LARGE(Category.UPSTREAM, "the GitHub API answer is larger than %s",
			"ask for fewer items per page (per_page)"),

	// --- upstream

	/** Could not connect, DNS, TLS, timed out. The cause is a short code. */
	UPSTREAM_UNAVAILABLE(Category.UPSTREAM, "upstream git server unavailable (%s)", "try again later"),

	/** The upstream answered something that is not a smart-HTTP response (an HTML page, a dumb server). */
	UPSTREAM_NOT_GIT(Category.UPSTREAM, "the upstream is not a git server (it answered HTTP %s with %s)",
			"an operator must check warden.upstream.url"),

	/** The upstream refused git-warden's own credential. */
	UPSTREAM_CREDENTIALS_REJECTED(Category.UPSTREAM, "upstream git server rejected git-warden's credentials (HTTP %s)",
			"an operator must check git-warden's upstream credential"),

	/** The repository does not exist upstream (or the credential cannot see it). */
	UPSTREAM_NOT_FOUND(Category.UPSTREAM, "repository %s not found upstream", "check the repository name in the session token"),

	/** Any other unexpected upstream status. */
	UPSTREAM_ERROR(Category.UPSTREAM, "upstream git server answered HTTP %s", "try again later"),

	/** A stream broke after the response started (client or upstream went away). */
	TRANSFER_FAILED(Category.UPSTREAM, "transfer interrupted", "retry"),

	/** The GitHub API refused to hand out an installation token: an operator must act. */
	UPSTREAM_CREDENTIAL_UNAVAILABLE(Category.UPSTREAM, "could not obtain an upstream credential: %s",
			"an operator must check git-warden's GitHub App configuration"),

	/** The GitHub API failed, timed out or could not be reached while minting an installation token. */
	UPSTREAM_CREDENTIAL_SERVICE_UNAVAILABLE(Category.UPSTREAM, "could not obtain an upstream credential: %s",
			"try again later"),

	/** The GitHub API rate limit was reached while minting an installation token. */
	UPSTREAM_CREDENTIAL_RATE_LIMITED(Category.UPSTREAM,
			"could not obtain an upstream credential: GitHub API rate limit reached, retry in %s s", "try again later"),

	/** No key to verify session tokens with: the token issuer's JWKS endpoint has not answered yet. */
	TOKEN_KEYS_UNAVAILABLE(Category.UPSTREAM, "session token verification keys are unavailable", "try again later"),

	// --- git-warden itself

	/** The shared store (PostgreSQL) cannot be reached: revocations and audit queries wait for it. */
	STORE_UNAVAILABLE(Category.INTERNAL, "the shared store is unavailable: %s", "retry in a few seconds"),

	/** Every slot for this kind of work is taken. */
	SERVER_BUSY(Category.INTERNAL, "git-warden is busy (%s)", "try again in a few seconds"),

	/** A bug in git-warden; the message carries only the request id. */
	INTERNAL_ERROR(Category.INTERNAL, "internal error (request %s)", "report the request id to the operator");

	private final Category category;

	private final String message;

	private final String advice;

	RefusalReason(Category category, String message, String advice) {
		this.category = category;
		this.message = message;
		this.advice = advice;
	}

	/** Stable identifier for audit events and metrics, e.g. {@code ref-not-session-branch}. */
	public String code() {
		return name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

	public Category category() {
		return this.category;
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
