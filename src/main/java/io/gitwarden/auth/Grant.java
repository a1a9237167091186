package io.gitwarden.auth;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.gitwarden.policy.Permission;
import io.gitwarden.protocol.RepositoryId;

/**
 * What a session may do on one repository: the scopes, and the branches and tags it may push to. A token
 * carries up to {@value #MAX_GRANTS} grants (claim {@code grants}), or one in the older form (claims
 * {@code repo}, {@code branch}, {@code scope}). Deny by default: a repository without a grant, a scope
 * not listed, a ref no pattern matches, are all refused.
 *
 * @param repository the repository
 * @param permissions the scopes granted on it
 * @param branches branch short-name patterns the session may create and update
 * @param tags tag short-name patterns the session may create
 */
public record Grant(RepositoryId repository, Set<Permission> permissions, List<RefPattern> branches,
		List<RefPattern> tags) {

	/** Most grants one token may carry. */
	public static final int MAX_GRANTS = 32;

	/** Most patterns of one kind in one grant. */
	public static final int MAX_PATTERNS = 64;

	public Grant {
		permissions = permissions.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(permissions));
		branches = List.copyOf(branches);
		tags = List.copyOf(tags);
	}

	/** The single grant of a token in the older form: one repository, at most one exact branch. */
	public static Grant single(RepositoryId repository, String branch, Set<Permission> permissions) {
		return new Grant(repository, permissions, (branch != null) ? List.of(RefPattern.of(branch)) : List.of(),
				List.of());
	}

	public boolean has(Permission permission) {
		return this.permissions.contains(permission);
	}

	/** True when the grant names some branch or tag to push to. */
	public boolean hasPushTargets() {
		return !this.branches.isEmpty() || !this.tags.isEmpty();
	}

	/** The first branch pattern matching {@code branch} (a short name), or {@code null}. */
	public RefPattern branchPattern(String branch) {
		return first(this.branches, branch);
	}

	/** The first tag pattern matching {@code tag} (a short name), or {@code null}. */
	public RefPattern tagPattern(String tag) {
		return first(this.tags, tag);
	}

	private static RefPattern first(List<RefPattern> patterns, String name) {
		for (RefPattern pattern : patterns) {
			if (pattern.matches(name)) {
				return pattern;
			}
		}
		return null;
	}

	/** The scope words, sorted, space-separated. */
	public String scope() {
		return this.permissions.stream().map(Permission::scopeName).sorted().collect(Collectors.joining(" "));
	}

	/** The grant as a {@code grants} claim entry. */
	public Map<String, Object> toClaim() {
		Map<String, Object> claim = new LinkedHashMap<>();
		claim.put("repo", this.repository.toString());
		claim.put("scope", scope());
		if (!this.branches.isEmpty()) {
			claim.put("branches", texts(this.branches));
		}
		if (!this.tags.isEmpty()) {
			claim.put("tags", texts(this.tags));
		}
		return claim;
	}

	private static List<String> texts(List<RefPattern> patterns) {
		List<String> texts = new ArrayList<>(patterns.size());
		for (RefPattern pattern : patterns) {
			texts.add(pattern.text());
		}
		return texts;
	}

	/** The scope words as permissions; unknown words grant nothing. */
	public static Set<Permission> permissions(String scope) {
		Set<Permission> permissions = EnumSet.noneOf(Permission.class);
		if (scope != null) {
			for (String word : scope.trim().split("\\s+")) {
				Permission.fromScopeName(word).ifPresent(permissions::add);
			}
		}
		return permissions;
	}

}
