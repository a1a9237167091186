package io.gitwarden.inspect;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A compiled glob over {@code /}-separated names: repository paths ({@code .github/workflows/**}) and ref
 * names ({@code refs/heads/agent/*}).
 * <ul>
 * <li>{@code *} matches any characters within one segment (never a {@code /}), including none;</li>
 * <li>{@code **} as a whole segment matches any number of whole segments, including none, so
 * {@code a/**} matches {@code a}, {@code a/b} and {@code a/b/c}, and {@code **}{@code /x} matches
 * {@code x} and {@code a/b/x};</li>
 * <li>{@code ?} matches one character (not {@code /});</li>
 * <li>everything else is literal and case-sensitive (there is no escaping and no {@code [...]}).</li>
 * </ul>
 * A pattern is compiled once; {@link #matches(CharSequence)} allocates nothing. Patterns made only of
 * literal segments, optionally ending in {@code /**}, are matched by a string comparison. Instances are
 * immutable and thread-safe.
 */
public final class PathGlob {

	/** The most segments a pattern may have. */
	public static final int MAX_SEGMENTS = 63;

	private final String pattern;

	/** Segments; {@code null} stands for {@code **}. */
	private final String[] segments;

	/** Per segment: true when it has no {@code *} or {@code ?}. */
	private final boolean[] literal;

	/** The literal text of a pattern that is literal, or literal followed by {@code /**}; else null. */
	private final String literalPrefix;

	/** Whether the pattern is {@link #literalPrefix} followed by {@code /**}. */
	private final boolean prefixAndBelow;

	private PathGlob(String pattern) {
		this.pattern = pattern;
		String[] parts = pattern.split("/", -1);
		this.segments = new String[parts.length];
		this.literal = new boolean[parts.length];
		boolean allLiteral = true;
		for (int i = 0; i < parts.length; i++) {
			String part = parts[i];
			this.segments[i] = "**".equals(part) ? null : part;
			this.literal[i] = this.segments[i] != null && part.indexOf('*') < 0 && part.indexOf('?') < 0;
			allLiteral &= this.literal[i] || (this.segments[i] == null && i == parts.length - 1 && i > 0);
		}
		boolean trailingAny = parts.length > 1 && this.segments[parts.length - 1] == null;
		if (allLiteral) {
			this.prefixAndBelow = trailingAny;
			this.literalPrefix = trailingAny ? pattern.substring(0, pattern.length() - 3) : pattern;
		}
		else {
			this.prefixAndBelow = false;
			this.literalPrefix = null;
		}
	}

	/**
	 * Compiles a glob after {@link #validate(String, boolean) validating} it (without requiring a literal
	 * first segment).
	 * @param pattern the glob
	 * @return the compiled glob
	 * @throws IllegalArgumentException when the pattern is not valid; the message says why
	 */
	public static PathGlob compile(String pattern) {
		validate(pattern, false);
		return new PathGlob(pattern);
	}

	/**
	 * Compiles every pattern of a list.
	 * @param patterns the globs
	 * @return the compiled globs, in order
	 * @throws IllegalArgumentException when one is not valid
	 */
	public static List<PathGlob> compileAll(List<String> patterns) {
		List<PathGlob> globs = new ArrayList<>(patterns.size());
		for (String pattern : patterns) {
			globs.add(compile(pattern));
		}
		return List.copyOf(globs);
	}

	/**
	 * Checks that a pattern is acceptable: not empty, no empty segment (so no leading, trailing or double
	 * {@code /}), no {@code ..}, no {@code @&#123;}, no backslash, no control character, no leading
	 * {@code -}, at most {@value #MAX_SEGMENTS} segments.
	 * @param pattern the glob
	 * @param requireLiteralFirstSegment also require the first segment to be literal (no {@code *},
	 * {@code ?} or {@code **}), as for ref patterns: {@code refs/heads/agent/*} is fine, {@code *} or
	 * {@code **}{@code /main} is not
	 * @throws IllegalArgumentException naming the problem
	 */
	public static void validate(String pattern, boolean requireLiteralFirstSegment) {
		String problem = problem(pattern, requireLiteralFirstSegment);
		if (problem != null) {
			throw new IllegalArgumentException("invalid pattern '" + printable(pattern) + "': " + problem);
		}
	}

	private static String problem(String pattern, boolean requireLiteralFirstSegment) {
		if (pattern == null || pattern.isEmpty()) {
			return "empty";
		}
		for (int i = 0; i < pattern.length(); i++) {
			char c = pattern.charAt(i);
			if (c < 0x20 || c == 0x7f) {
				return "control character";
			}
			if (c == '\\') {
				return "backslash";
			}
		}
		if (pattern.contains("..")) {
			return "'..'";
		}
		if (pattern.contains("@{")) {
			return "'@{'";
		}
		if (pattern.startsWith("-")) {
			return "leading '-'";
		}
		String[] parts = pattern.split("/", -1);
		if (parts.length > MAX_SEGMENTS) {
			return "more than " + MAX_SEGMENTS + " segments";
		}
		for (String part : parts) {
			if (part.isEmpty()) {
				return "empty segment (leading, trailing or double '/')";
			}
		}
		if (requireLiteralFirstSegment && (parts[0].indexOf('*') >= 0 || parts[0].indexOf('?') >= 0)) {
			return "the first segment must be literal";
		}
		return null;
	}

	private static String printable(String pattern) {
		if (pattern == null) {
			return "";
		}
		StringBuilder sb = new StringBuilder(pattern.length());
		for (int i = 0; i < pattern.length() && i < 200; i++) {
			char c = pattern.charAt(i);
			sb.append((c < 0x20 || c == 0x7f) ? '?' : c);
		}
		return sb.toString();
	}

	/** The pattern this glob was compiled from. */
	public String pattern() {
		return this.pattern;
	}

	/**
	 * Whether {@code path} (segments separated by {@code /}, no leading {@code /}) matches the whole
	 * pattern.
	 * @param path the path or ref name
	 * @return true on a match
	 */
	public boolean matches(CharSequence path) {
		if (this.literalPrefix != null) {
			int n = this.literalPrefix.length();
			if (!startsWith(path, this.literalPrefix)) {
				return false;
			}
			if (path.length() == n) {
				return true;
			}
			return this.prefixAndBelow && path.charAt(n) == '/';
		}
		long states = closure(1L);
		int start = 0;
		int length = path.length();
		while (true) {
			int end = indexOf(path, '/', start);
			states = step(states, path, start, end);
			if (states == 0) {
				return false;
			}
			if (end == length) {
				break;
			}
			start = end + 1;
		}
		return (states & (1L << this.segments.length)) != 0;
	}

	/**
	 * Whether some path strictly inside {@code directory} (that is {@code directory/...}) could match:
	 * {@code .github/workflows/**} can match below {@code .github} and below {@code .github/workflows},
	 * not below {@code src}. Used to notice a protected directory replaced by a file or a symbolic link.
	 * @param directory a path without trailing {@code /}
	 * @return true when a match below it is possible
	 */
	public boolean matchesBelow(CharSequence directory) {
		long states = closure(1L);
		int start = 0;
		int length = directory.length();
		if (length > 0) {
			while (true) {
				int end = indexOf(directory, '/', start);
				states = step(states, directory, start, end);
				if (states == 0) {
					return false;
				}
				if (end == length) {
					break;
				}
				start = end + 1;
			}
		}
		// a state before the end still waits for at least one more segment
		return (states & ~(1L << this.segments.length)) != 0;
	}

	/** Follows {@code **} segments, which may match no segment at all. */
	private long closure(long states) {
		long result = states;
		for (int i = 0; i < this.segments.length; i++) {
			if ((result & (1L << i)) != 0 && this.segments[i] == null) {
				result |= 1L << (i + 1);
			}
		}
		return result;
	}

	private long step(long states, CharSequence path, int start, int end) {
		long next = 0;
		for (int i = 0; i < this.segments.length; i++) {
			if ((states & (1L << i)) == 0) {
				continue;
			}
			String segment = this.segments[i];
			if (segment == null) {
				next |= 1L << i;
			}
			else if (this.literal[i] ? regionEquals(path, start, end, segment)
					: wildcardMatches(segment, path, start, end)) {
				next |= 1L << (i + 1);
			}
		}
		return closure(next);
	}

	private static boolean regionEquals(CharSequence path, int start, int end, String segment) {
		if (end - start != segment.length()) {
			return false;
		}
		for (int i = 0; i < segment.length(); i++) {
			if (path.charAt(start + i) != segment.charAt(i)) {
				return false;
			}
		}
		return true;
	}

	/** {@code *} and {@code ?} within one segment; linear backtracking to the last star. */
	static boolean wildcardMatches(String glob, CharSequence text, int start, int end) {
		int g = 0;
		int t = start;
		int starG = -1;
		int starT = -1;
		while (t < end) {
			if (g < glob.length()) {
				char gc = glob.charAt(g);
				if (gc == '*') {
					starG = g++;
					starT = t;
					continue;
				}
				if (gc == '?') {
					t = nextCodePoint(text, t, end);
					g++;
					continue;
				}
				if (gc == text.charAt(t)) {
					g++;
					t++;
					continue;
				}
			}
			if (starG < 0) {
				return false;
			}
			g = starG + 1;
			starT = nextCodePoint(text, starT, end);
			t = starT;
		}
		while (g < glob.length() && glob.charAt(g) == '*') {
			g++;
		}
		return g == glob.length();
	}

	private static int nextCodePoint(CharSequence text, int index, int end) {
		if (Character.isHighSurrogate(text.charAt(index)) && index + 1 < end
				&& Character.isLowSurrogate(text.charAt(index + 1))) {
			return index + 2;
		}
		return index + 1;
	}

	private static int indexOf(CharSequence text, char c, int from) {
		int length = text.length();
		for (int i = from; i < length; i++) {
			if (text.charAt(i) == c) {
				return i;
			}
		}
		return length;
	}

	private static boolean startsWith(CharSequence text, String prefix) {
		if (text.length() < prefix.length()) {
			return false;
		}
		if (text instanceof String string) {
			return string.startsWith(prefix);
		}
		for (int i = 0; i < prefix.length(); i++) {
			if (text.charAt(i) != prefix.charAt(i)) {
				return false;
			}
		}
		return true;
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof PathGlob glob && glob.pattern.equals(this.pattern);
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.pattern);
	}

	@Override
	public String toString() {
		return this.pattern;
	}

}
