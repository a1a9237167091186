package io.gitwarden.auth;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.gitwarden.policy.Permission;
import io.gitwarden.protocol.RepositoryId;
import org.eclipse.jgit.lib.Constants;

/**
 * The one set of rules for a {@code grants} document, wherever it comes from: the {@code grants} claim of a
 * token ({@link JwtTokenVerifier}), the {@code grants} field of the admin API's mint request, and
 * {@code token mint --grants '<json>'} ({@link MintRequest}). The document is the generic tree a JSON parser
 * produces (lists, maps, strings, numbers, booleans). Every problem is one line naming the entry and field
 * ({@code 'grants[1].branches': pattern '**' must start with a literal name ...}), the same text for the
 * three callers (the verifier says it of a claim: {@code session token rejected: claim 'grants' is empty}).
 *
 * <p>Minting is stricter than verification in two ways only, so that git-warden never signs a token that
 * cannot work: every scope word must be known (a verifier ignores words it does not know, for tokens from
 * newer orchestrators), and a grant with {@code push} must name a branch or tag.
 */
final class GrantsClaim {

	/** The fields a grant may have. */
	static final List<String> FIELDS = List.of("repo", "scope", "branches", "tags");

	/** Why a token carries both forms. */
	static final String BOTH_FORMS = "'grants' cannot be combined with 'repo', 'branch' or 'scope'";

	private GrantsClaim() {
	}

	/**
	 * Reads a {@code grants} document.
	 * @param value the parsed JSON value
	 * @param maxPathDepth {@code warden.upstream.max-path-depth}
	 * @param minting whether a token is being minted (the two stricter rules)
	 * @return the grants, in order
	 * @throws Invalid naming the first problem
	 */
	static List<Grant> parse(Object value, int maxPathDepth, boolean minting) {
		if (!(value instanceof List<?> entries)) {
			throw new Invalid("'grants' must be an array of objects");
		}
		if (entries.isEmpty()) {
			throw new Invalid("'grants' is empty");
		}
		if (entries.size() > Grant.MAX_GRANTS) {
			throw new Invalid("'grants' has more than " + Grant.MAX_GRANTS + " entries");
		}
		List<Grant> grants = new ArrayList<>(entries.size());
		Set<String> repositories = new HashSet<>();
		for (int i = 0; i < entries.size(); i++) {
			String name = "grants[" + i + "]";
			if (!(entries.get(i) instanceof Map<?, ?> entry)) {
				throw new Invalid("'" + name + "' must be an object");
			}
			for (Object key : entry.keySet()) {
				if (!FIELDS.contains(key)) {
					throw new Invalid("'" + name + "' has an unknown field '" + printable(String.valueOf(key))
							+ "' (known: " + String.join(", ", FIELDS) + ")");
				}
			}
			RepositoryId repository = repository(entry.get("repo"), name + ".repo", maxPathDepth);
			if (!repositories.add(repository.canonical())) {
				throw new Invalid("'grants' names " + repository + " twice");
			}
			Set<Permission> permissions = scope(entry.get("scope"), name + ".scope", minting);
			List<RefPattern> branches = patterns(entry.get("branches"), name + ".branches", Constants.R_HEADS);
			List<RefPattern> tags = patterns(entry.get("tags"), name + ".tags", Constants.R_TAGS);
			if (minting && permissions.contains(Permission.PUSH) && branches.isEmpty() && tags.isEmpty()) {
				throw new Invalid("'" + name + "' has the push scope but names no 'branches' or 'tags'");
			}
			grants.add(new Grant(repository, permissions, branches, tags));
		}
		return grants;
	}

	/**
	 * A repository path: {@code owner/name}, or a nested namespace of at most {@code maxPathDepth} segments.
	 * @param field the field as the caller names it ({@code repo}, {@code grants[0].repo})
	 */
	static RepositoryId repository(Object value, String field, int maxPathDepth) {
		if (!(value instanceof String text)) {
			throw new Invalid("'" + field + "' must be owner/name");
		}
		RepositoryId repository;
		try {
			repository = RepositoryId.parse(text);
		}
		catch (IllegalArgumentException ex) {
			throw new Invalid("'" + field + "' must be owner/name");
		}
		if (repository.depth() > maxPathDepth) {
			throw new Invalid("'" + field + "' has more than " + maxPathDepth
					+ " path segments (warden.upstream.max-path-depth)");
		}
		return repository;
	}

	/**
	 * The scope words of a field.
	 * @param minting when true, at least one word and only known ones; when false, unknown words grant nothing
	 */
	static Set<Permission> scope(Object value, String field, boolean minting) {
		if (value != null && !(value instanceof String)) {
			throw new Invalid("'" + field + "' must be a string");
		}
		String scope = (String) value;
		if (!minting) {
			return Grant.permissions(scope);
		}
		if (scope == null || scope.isBlank()) {
			throw new Invalid("'" + field + "' must name at least one of: fetch, push, pr");
		}
		Set<Permission> permissions = EnumSet.noneOf(Permission.class);
		for (String word : scope.trim().split("\\s+")) {
			permissions.add(Permission.fromScopeName(word)
				.orElseThrow(() -> new Invalid("unknown scope word '" + printable(word) + "' in '" + field
						+ "'; known: fetch, push, pr")));
		}
		return permissions;
	}

	private static List<RefPattern> patterns(Object value, String field, String prefix) {
		if (value == null) {
			return List.of();
		}
		if (!(value instanceof List<?> list)) {
			throw new Invalid("'" + field + "' must be an array of strings");
		}
		if (list.size() > Grant.MAX_PATTERNS) {
			throw new Invalid("'" + field + "' has more than " + Grant.MAX_PATTERNS + " patterns");
		}
		List<RefPattern> patterns = new ArrayList<>(list.size());
		for (Object item : list) {
			if (!(item instanceof String text)) {
				throw new Invalid("'" + field + "' must be an array of strings");
			}
			if (text.startsWith(prefix)) {
				throw new Invalid("'" + field + "' takes short names: '" + printable(text.substring(prefix.length()))
						+ "', not '" + printable(text) + "'");
			}
			if (text.startsWith(Constants.R_REFS)) {
				throw new Invalid("'" + field + "' takes short names such as 'agent/fix-123', not a ref name ('"
						+ printable(text) + "')");
			}
			try {
				patterns.add(RefPattern.of(text));
			}
			catch (IllegalArgumentException ex) {
				throw new Invalid("'" + field + "': " + ex.getMessage());
			}
		}
		return patterns;
	}

	/** Text from the caller, cut and with anything unprintable replaced, for a message. */
	static String printable(String text) {
		String cut = (text.length() > 60) ? text.substring(0, 60) + "..." : text;
		return cut.replaceAll("[^\\x20-\\x7e]", "?");
	}

	/** A document that breaks a rule; the message names the entry, the field and the rule. */
	static final class Invalid extends RuntimeException {

		private static final long serialVersionUID = 1L;

		Invalid(String message) {
			super(message, null, false, false);
		}

	}

}
