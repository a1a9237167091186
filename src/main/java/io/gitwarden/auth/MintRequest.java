package io.gitwarden.auth;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;

import io.gitwarden.policy.Permission;
import io.gitwarden.protocol.RepositoryId;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Repository;

/**
 * A validated request to mint a session token, the one set of rules for every way git-warden mints: the
 * admin API ({@code POST /admin/v1/tokens}) and the command line ({@code token mint}). Both refuse the same
 * requests with the same messages, which name the field or option the way the caller spelt it.
 *
 * @param repository the one repository
 * @param branch the branch short name, or {@code null} for a session without push
 * @param permissions the scopes, at least one
 * @param ttl the lifetime, from 1 s to {@code warden.auth.max-token-lifetime}
 * @param session the session id ({@code sub}), a random {@code ses_<uuid>} when none was given
 */
public record MintRequest(RepositoryId repository, String branch, Set<Permission> permissions, Duration ttl,
		String session) {

	/** The lifetime when a request names none. */
	public static final Duration DEFAULT_TTL = Duration.ofHours(1);

	/** Longest session id, the same bound as the verifier's for {@code sub}. */
	public static final int MAX_SESSION_LENGTH = 200;

	/** Why git-warden cannot mint at all (no private key and no shared secret). */
	public static final String NO_SIGNING_KEY = "git-warden cannot mint tokens: set warden.issuer.private-key "
			+ "or warden.auth.hmac-secret";

	public MintRequest {
		permissions = Set.copyOf(permissions);
	}

	/**
	 * Checks a request as given by a caller.
	 * @param repo {@code owner/name}
	 * @param branch the branch short name, or {@code null}; required with the {@code push} scope
	 * @param scope space-separated scope words
	 * @param ttl the lifetime, or {@code null} for {@link #DEFAULT_TTL}
	 * @param ttlName how the caller names the lifetime ({@code ttlSeconds} in the admin API, {@code ttl} on the
	 * command line), for the message
	 * @param session the session id, or {@code null} for a random one
	 * @param maxTokenLifetime {@code warden.auth.max-token-lifetime}
	 * @throws Invalid with a one-line message naming what to fix
	 */
	public static MintRequest of(String repo, String branch, String scope, Duration ttl, String ttlName,
			String session, Duration maxTokenLifetime) {
		RepositoryId repository;
		try {
			repository = RepositoryId.parse(repo);
		}
		catch (IllegalArgumentException ex) {
			throw new Invalid("'repo' must be owner/name");
		}
		Set<Permission> permissions = scope(scope);
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
		Duration lifetime = (ttl != null) ? ttl : DEFAULT_TTL;
		if (lifetime.compareTo(Duration.ofSeconds(1)) < 0 || lifetime.compareTo(maxTokenLifetime) > 0) {
			throw new Invalid("'" + ttlName + "' must be between 1 and " + maxTokenLifetime.toSeconds()
					+ " seconds (warden.auth.max-token-lifetime)");
		}
		String id = (session != null) ? session : "ses_" + UUID.randomUUID();
		if (!isSessionId(id)) {
			throw new Invalid("'session' must be 1 to " + MAX_SESSION_LENGTH
					+ " printable characters, none of / ; \\ % (session ids appear in URLs)");
		}
		return new MintRequest(repository, branch, permissions, lifetime, id);
	}

	/**
	 * True for a well-formed session id: 1 to {@value #MAX_SESSION_LENGTH} printable characters, none of
	 * {@code / ; \ %} (a session id is a path segment of the revoke URL).
	 */
	public static boolean isSessionId(String session) {
		return session != null && !session.isBlank() && session.length() <= MAX_SESSION_LENGTH
				&& JwtTokenVerifier.isValidSession(session);
	}

	/** The space-separated scope words, sorted, as they go into the token's {@code scope} claim. */
	public String scope() {
		return String.join(" ", this.permissions.stream().map(Permission::scopeName).sorted().toList());
	}

	private static Set<Permission> scope(String scope) {
		if (scope == null || scope.isBlank()) {
			throw new Invalid("'scope' must name at least one of: fetch, push, pr");
		}
		Set<Permission> permissions = EnumSet.noneOf(Permission.class);
		for (String word : scope.trim().split("\\s+")) {
			permissions.add(Permission.fromScopeName(word)
				.orElseThrow(() -> new Invalid("unknown scope word '" + word + "'; known: fetch, push, pr")));
		}
		return permissions;
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
