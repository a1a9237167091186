package io.gitwarden.auth;

import java.util.regex.Pattern;

import org.eclipse.jgit.lib.Repository;

/**
 * A branch or tag a grant names, by its short name: an exact name ({@code agent/fix-123}) or a glob where
 * {@code *} matches within one path segment and {@code **} any number of segments ({@code claude/*},
 * {@code release/**}, {@code agent-v*}). Every pattern starts with a literal name, so no pattern reaches
 * everything; and
 * none may contain {@code ..}, {@code @{}, {@code \}, control characters or start with {@code -}.
 */
public final class RefPattern {

	private static final int MAX_LENGTH = 255;

	private final String text;

	private final Pattern regex;

	private RefPattern(String text) {
		this.text = text;
		this.regex = isGlob(text) ? regex(text) : null;
	}

	/**
	 * @throws IllegalArgumentException naming the problem when {@code text} is not a valid pattern
	 */
	public static RefPattern of(String text) {
		String problem = problem(text);
		if (problem != null) {
			throw new IllegalArgumentException(problem);
		}
		return new RefPattern(text);
	}

	/** The pattern as written. */
	public String text() {
		return this.text;
	}

	/** Why {@code text} is not a valid pattern, or {@code null} when it is. */
	public static String problem(String text) {
		if (text == null || text.isEmpty() || text.length() > MAX_LENGTH) {
			return "a branch or tag pattern must be 1 to " + MAX_LENGTH + " characters";
		}
		if (text.startsWith("-")) {
			return "pattern '" + printable(text) + "' starts with '-'";
		}
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
				return "a pattern contains a control character";
			}
		}
		if (text.contains("..") || text.contains("@{") || text.contains("\\")) {
			return "pattern '" + text + "' contains '..', '@{' or '\\'";
		}
		String[] segments = text.split("/", -1);
		if (segments[0].isEmpty() || segments[0].charAt(0) == '*') {
			return "pattern '" + text + "' must start with a literal name ('*' or '**' alone would reach every ref)";
		}
		for (String segment : segments) {
			if (segment.isEmpty()) {
				return "pattern '" + text + "' has an empty segment";
			}
			if (segment.contains("**") && !segment.equals("**")) {
				return "pattern '" + text + "': '**' must be a whole segment";
			}
		}
		// the literal parts must make a valid ref name
		if (!Repository.isValidRefName("refs/heads/" + text.replace("**", "x").replace("*", "x"))) {
			return "pattern '" + text + "' is not a valid ref name";
		}
		return null;
	}

	private static String printable(String text) {
		return text.replaceAll("[\\p{Cntrl}]", "?");
	}

	/** True when {@code name}, a branch or tag short name, matches. */
	public boolean matches(String name) {
		return (this.regex == null) ? this.text.equals(name) : this.regex.matcher(name).matches();
	}

	/** True when the pattern has a wildcard. */
	public boolean isGlob() {
		return this.regex != null;
	}

	private static boolean isGlob(String text) {
		return text.indexOf('*') >= 0;
	}

	/** An example name for advice: the pattern with its wildcards shown as {@code <name>}. */
	public String example() {
		return this.text.replace("**", "<name>").replace("*", "<name>");
	}

	private static Pattern regex(String glob) {
		StringBuilder regex = new StringBuilder();
		String[] segments = glob.split("/", -1);
		for (int i = 0; i < segments.length; i++) {
			String segment = segments[i];
			if (segment.equals("**")) {
				// any number of whole segments, including none
				regex.append("(?:/[^/]+)*");
				continue;
			}
			if (i > 0) {
				regex.append('/');
			}
			int start = 0;
			for (int star = segment.indexOf('*'); star >= 0; star = segment.indexOf('*', start)) {
				regex.append(Pattern.quote(segment.substring(start, star))).append("[^/]*");
				start = star + 1;
			}
			regex.append(Pattern.quote(segment.substring(start)));
		}
		return Pattern.compile(regex.toString());
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof RefPattern pattern && pattern.text.equals(this.text);
	}

	@Override
	public int hashCode() {
		return this.text.hashCode();
	}

	@Override
	public String toString() {
		return this.text;
	}

}
