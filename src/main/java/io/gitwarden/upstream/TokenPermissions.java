package io.gitwarden.upstream;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.gitwarden.policy.Permission;

/**
 * The GitHub App permissions an upstream credential is narrowed to, by permission name
 * ({@code contents}, {@code metadata}, {@code pull_requests}, {@code issues}, {@code checks},
 * {@code actions}, {@code statuses}) and level ({@code read} or {@code write}). A git fetch needs
 * {@code contents: read}, a push {@code contents: write}; each GitHub API call names what it needs. Equal
 * sets are equal values, so an installation token is cached per set.
 *
 * @param levels permission name to level, sorted by name
 */
public record TokenPermissions(Map<String, String> levels) {

	private static final Pattern NAME = Pattern.compile("[a-z_]{1,40}");

	public TokenPermissions {
		if (levels.isEmpty()) {
			throw new IllegalArgumentException("at least one permission is required");
		}
		for (Map.Entry<String, String> entry : levels.entrySet()) {
			if (!NAME.matcher(entry.getKey()).matches()
					|| !("read".equals(entry.getValue()) || "write".equals(entry.getValue()))) {
				throw new IllegalArgumentException("not a GitHub App permission: " + entry);
			}
		}
		levels = Collections.unmodifiableMap(new TreeMap<>(levels));
	}

	/** {@code of("contents", "read", "metadata", "read")}: names and levels in pairs. */
	public static TokenPermissions of(String... pairs) {
		if (pairs.length % 2 != 0) {
			throw new IllegalArgumentException("permissions come in name, level pairs");
		}
		Map<String, String> levels = new TreeMap<>();
		for (int i = 0; i < pairs.length; i += 2) {
			levels.put(pairs[i], pairs[i + 1]);
		}
		return new TokenPermissions(levels);
	}

	/** What git needs: {@code contents: write} for a push, {@code contents: read} otherwise. */
	public static TokenPermissions forGit(Permission access) {
		return of("contents", (access == Permission.PUSH) ? "write" : "read");
	}

	/** The {@code permissions} object of an access token request; names and levels need no escaping. */
	String json() {
		return this.levels.entrySet()
			.stream()
			.map((entry) -> "\"" + entry.getKey() + "\":\"" + entry.getValue() + "\"")
			.collect(Collectors.joining(",", "{", "}"));
	}

	/** {@code contents:read,metadata:read}. */
	@Override
	public String toString() {
		return this.levels.entrySet()
			.stream()
			.map((entry) -> entry.getKey() + ":" + entry.getValue())
			.collect(Collectors.joining(","));
	}

}
