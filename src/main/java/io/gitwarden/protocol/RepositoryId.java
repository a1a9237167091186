package io.gitwarden.protocol;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A GitHub-style repository name, {@code owner/name}. Both parts are restricted to
 * {@code [A-Za-z0-9._-]}, may not be {@code .} or {@code ..} or contain {@code ..}, so a name can be
 * placed in an upstream URL without any further escaping. Comparison with {@link #matches} ignores
 * case, as GitHub does.
 *
 * @param owner the account or organisation
 * @param name the repository name, without a {@code .git} suffix
 */
public record RepositoryId(String owner, String name) {

	private static final Pattern PART = Pattern.compile("[A-Za-z0-9._-]{1,100}");

	public RepositoryId {
		if (!isValidPart(owner) || !isValidPart(name)) {
			throw new IllegalArgumentException("not a valid owner/name repository");
		}
	}

	/**
	 * Parses {@code owner/name}.
	 * @throws IllegalArgumentException when the text is not exactly a valid {@code owner/name}
	 */
	public static RepositoryId parse(String text) {
		if (text == null) {
			throw new IllegalArgumentException("repository is missing");
		}
		int slash = text.indexOf('/');
		if (slash < 0 || slash != text.lastIndexOf('/')) {
			throw new IllegalArgumentException("repository must be owner/name");
		}
		return new RepositoryId(text.substring(0, slash), text.substring(slash + 1));
	}

	static boolean isValidPart(String part) {
		return part != null && PART.matcher(part).matches() && !part.contains("..") && !part.equals(".")
				&& !part.endsWith(".git");
	}

	/** True when both name the same repository, ignoring case. */
	public boolean matches(RepositoryId other) {
		return this.owner.equalsIgnoreCase(other.owner) && this.name.equalsIgnoreCase(other.name);
	}

	/** A lower-case form, for cache keys and metrics. */
	public String canonical() {
		return toString().toLowerCase(Locale.ROOT);
	}

	@Override
	public String toString() {
		return this.owner + "/" + this.name;
	}

}
