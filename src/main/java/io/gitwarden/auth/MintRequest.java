package io.gitwarden.auth;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import io.gitwarden.policy.Permission;
import io.gitwarden.protocol.RepositoryId;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Repository;

/**
 * A validated request to mint a session token, the one set of rules for every way git-warden mints: the
 * admin API ({@code POST /admin/v1/tokens}) and the command line ({@code token mint}). Both refuse the same
 * requests with the same messages, which name the field or option the way the caller spelt it. A request
 * names either one repository ({@code repo}, {@code branch}, {@code scope}) or a {@code grants} document,
 * checked by the rules the verifier applies to the {@code grants} claim ({@link GrantsClaim}).
 *
 * @param grants what the token grants, one entry per repository (at least one)
 * @param ttl the lifetime, from 1 s to {@code warden.auth.max-token-lifetime}
 * @param session the session id ({@code sub}), a random {@code ses_<uuid>} when none was given
 */
public record MintRequest(List<Grant> grants, Duration ttl, String session) {

	/** The lifetime when a request names none. */
	public static final Duration DEFAULT_TTL = Duration.ofHours(1);

	/** Longest session id, the same bound as the verifier's for {@code sub}. */
	public static final int MAX_SESSION_LENGTH = 200;

	/**
	 * Longest token git-warden mints: git sends it in an {@code Authorization} header (Base64 of
	 * {@code x:<token>} for Basic), and servers, git-warden's included, accept 8 KiB of headers in all.
	 */
	public static final int MAX_TOKEN_LENGTH = 5120;

	/** Why git-warden cannot mint at all (no private key and no shared secret). */
	public static final String NO_SIGNING_KEY = "git-warden cannot mint tokens: set warden.issuer.private-key "
			+ "or warden.auth.hmac-secret";

	public MintRequest {
		grants = List.copyOf(grants);
	}

	/**
	 * What a caller asked for, as given.
	 *
	 * @param repo {@code owner/name}, or {@code null} with {@code grants}
	 * @param branch the branch short name, or {@code null}; required with the {@code push} scope
	 * @param scope space-separated scope words, or {@code null} with {@code grants}
	 * @param grants a {@code grants} document as parsed from JSON (lists, maps, strings), or {@code null}
	 * @param ttl the lifetime, or {@code null} for {@link #DEFAULT_TTL}
	 * @param session the session id, or {@code null} for a random one
	 */
	public record Fields(String repo, String branch, String scope, Object grants, Duration ttl, String session) {

	}

	/**
	 * The limits a request is checked against.
	 *
	 * @param maxTokenLifetime {@code warden.auth.max-token-lifetime}
	 * @param maxPathDepth {@code warden.upstream.max-path-depth}
	 * @param ttlName how the caller names the lifetime ({@code ttlSeconds} in the admin API, {@code ttl} on the
	 * command line), for the message
	 */
	public record Limits(Duration maxTokenLifetime, int maxPathDepth, String ttlName) {

	}

	/**
	 * Checks a request as given by a caller.
	 * @throws Invalid with a one-line message naming what to fix
	 */
	public static MintRequest of(Fields fields, Limits limits) {
		List<Grant> grants;
		if (fields.grants() != null) {
			if (fields.repo() != null || fields.branch() != null || fields.scope() != null) {
				throw new Invalid(GrantsClaim.BOTH_FORMS);
			}
			try {
				grants = GrantsClaim.parse(fields.grants(), limits.maxPathDepth(), true);
			}
			catch (GrantsClaim.Invalid ex) {
				throw new Invalid(ex.getMessage());
			}
		}
		else {
			grants = List.of(single(fields, limits));
		}
		Duration lifetime = (fields.ttl() != null) ? fields.ttl() : DEFAULT_TTL;
		if (lifetime.compareTo(Duration.ofSeconds(1)) < 0 || lifetime.compareTo(limits.maxTokenLifetime()) > 0) {
			throw new Invalid("'" + limits.ttlName() + "' must be between 1 and "
					+ limits.maxTokenLifetime().toSeconds() + " seconds (warden.auth.max-token-lifetime)");
		}
		String id = (fields.session() != null) ? fields.session() : "ses_" + UUID.randomUUID();
		if (!isSessionId(id)) {
			throw new Invalid("'session' must be 1 to " + MAX_SESSION_LENGTH
					+ " printable characters, none of / ; \\ % (session ids appear in URLs)");
		}
		return new MintRequest(grants, lifetime, id);
	}

	/** The one grant of a request in the older form. */
	private static Grant single(Fields fields, Limits limits) {
		RepositoryId repository;
		Set<Permission> permissions;
		try {
			repository = GrantsClaim.repository(fields.repo(), "repo", limits.maxPathDepth());
			permissions = GrantsClaim.scope(fields.scope(), "scope", true);
		}
		catch (GrantsClaim.Invalid ex) {
			throw new Invalid(ex.getMessage());
		}
		String branch = fields.branch();
		if (branch != null && branch.startsWith(Constants.R_HEADS)) {
			throw new Invalid("'branch' is the branch's short name: '" + branch.substring(Constants.R_HEADS.length())
					+ "', not '" + branch + "'");
		}
		if (branch != null && branch.startsWith(Constants.R_REFS)) {
			throw new Invalid("'branch' is a branch's short name such as 'agent/fix-123', not a ref name");
		}
		if (branch != null && (!isPrintable(branch) || !Repository.isValidRefName(Constants.R_HEADS + branch))) {
			throw new Invalid("'branch' is not a valid branch name");
		}
		if (permissions.contains(Permission.PUSH) && branch == null) {
			throw new Invalid("'branch' is required with the push scope");
		}
		return Grant.single(repository, branch, permissions);
	}

	/**
	 * True for a well-formed session id: 1 to {@value #MAX_SESSION_LENGTH} printable characters, none of
	 * {@code / ; \ %} (a session id is a path segment of the revoke URL).
	 */
	public static boolean isSessionId(String session) {
		return session != null && !session.isBlank() && session.length() <= MAX_SESSION_LENGTH
				&& JwtTokenVerifier.isValidSession(session);
	}

	/** The repositories granted, for logs and audit: {@code acme/app, acme/lib}. */
	public String repositories() {
		return this.grants.stream().map((grant) -> grant.repository().toString()).collect(Collectors.joining(", "));
	}

	/** What the token grants, for the log: {@code acme/app (fetch push), acme/lib (fetch)}. */
	public String describe() {
		return this.grants.stream()
			.map((grant) -> grant.repository() + " (" + grant.scope() + ")")
			.collect(Collectors.joining(", "));
	}

	private static boolean isPrintable(String text) {
		return text.chars().allMatch((c) -> c >= 0x20 && c != 0x7f);
	}

	/** A request that is refused, with a message for the caller (no stack trace: it is not a bug). */
	public static final class Invalid extends RuntimeException {

		private static final long serialVersionUID = 1L;

		Invalid(String message) {
			super(message, null, false, false);
		}

	}

}
