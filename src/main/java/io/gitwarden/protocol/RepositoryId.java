package io.gitwarden.protocol;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A repository path on the upstream: {@code owner/name} on GitHub, or a nested namespace such as
 * GitLab's {@code group/subgroup/project}. Every segment is restricted to {@code [A-Za-z0-9._-]}, may not
 * be {@code .} or contain {@code ..}, and the last may not end in {@code .git}, so a path can be placed in
 * an upstream URL without further escaping; there are no empty segments. Comparison with
 * {@link #matches} ignores case, as GitHub does.
 *
 * @param path the segments joined by {@code /}, without a {@code .git} suffix
 */
public record RepositoryId(String path) {

	/** Most segments any path may have; {@code warden.upstream.max-path-depth} may allow fewer. */
	public static final int MAX_SEGMENTS = 32;

	private static final Pattern PART = Pattern.compile("[A-Za-z0-9._-]{1,100}");

	public RepositoryId {
		if (path == null) {
			throw new IllegalArgumentException("repository is missing");
		}
		String[] parts = path.split("/", -1);
		if (parts.length < 2 || parts.length > MAX_SEGMENTS) {
			throw new IllegalArgumentException("repository must be owner/name (or a namespace path)");
		}
		for (String part : parts) {
			if (!isValidPart(part)) {
				throw new IllegalArgumentException("not a valid repository path");
			}
		}
	}

	/** {@code owner/name}. */
	public RepositoryId(String owner, String name) {
		this(owner + "/" + name);
	}

	/**
	 * Parses {@code owner/name} or a nested {@code group/.../name}.
	 * @throws IllegalArgumentException when the text is not a valid repository path
	 */
	public static RepositoryId parse(String text) {
		return new RepositoryId(text);
	}

	static boolean isValidPart(String part) {
		return part != null && PART.matcher(part).matches() && !part.contains("..") && !part.equals(".")
				&& !part.endsWith(".git");
	}

	/** The first segment: the account, organisation or top-level group. */
	public String owner() {
		return this.path.substring(0, this.path.indexOf('/'));
	}

	/** The last segment: the repository's own name. */
	public String name() {
		return this.path.substring(this.path.lastIndexOf('/') + 1);
	}

	/** The segments, from the owner to the name. */
	public List<String> segments() {
		return List.of(this.path.split("/"));
	}

	/** Number of segments (2 for {@code owner/name}). */
	public int depth() {
		int depth = 1;
		for (int i = 0; i < this.path.length(); i++) {
			if (this.path.charAt(i) == '/') {
				depth++;
			}
		}
		return depth;
	}

	/** True when both name the same repository, ignoring case. */
	public boolean matches(RepositoryId other) {
		return other != null && this.path.equalsIgnoreCase(other.path);
	}

	/** A lower-case form, for cache keys. */
	public String canonical() {
		return this.path.toLowerCase(Locale.ROOT);
	}

	@Override
	public String toString() {
		return this.path;
	}

}
