package io.gitwarden.policy;

import java.util.Locale;
import java.util.Optional;

/**
 * What a grant of a session token allows on its repository, named by the space-separated {@code scope}
 * words. A scope word that is not listed here grants nothing.
 */
public enum Permission {

	/** Read the repository: clone, fetch, LFS downloads, GitHub API reads. */
	FETCH,

	/** Update the granted branches and tags: receive-pack, LFS uploads and locks. */
	PUSH,

	/** Open, update and comment on the session's pull requests through the GitHub API. */
	PR;

	/** The word used in the {@code scope} claim. */
	public String scopeName() {
		return name().toLowerCase(Locale.ROOT);
	}

	/** Resolves a scope word; empty for words git-warden does not know. */
	public static Optional<Permission> fromScopeName(String word) {
		for (Permission permission : values()) {
			if (permission.scopeName().equals(word)) {
				return Optional.of(permission);
			}
		}
		return Optional.empty();
	}

}
