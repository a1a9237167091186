package io.gitwarden.policy;

import java.util.Locale;
import java.util.Optional;

/**
 * What a session token may do, named by the space-separated {@code scope} claim. A scope word that is
 * not listed here grants nothing.
 */
public enum Permission {

	/** Read the repository: upload-pack advertisement and fetch/clone. */
	FETCH,

	/** Update the session's branch: receive-pack. */
	PUSH;

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
