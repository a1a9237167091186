package io.gitwarden.inspect;

import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One secret detector of {@link SecretScanner}: keywords for the prefilter, and the regular expression
 * run around each keyword hit.
 *
 * @param name the rule name reported in findings, e.g. {@code github-pat}
 * @param keywords literal texts of which at least one occurs in every match (ASCII, matched
 * case-insensitively by the prefilter); empty to run the expression over all text (slow: custom patterns
 * without a literal start only)
 * @param pattern the expression; it must match at the keyword's position, or, with {@code lookBehind > 0},
 * start at most {@code lookBehind} characters before it and cover it
 * @param lookBehind how far before the keyword a match may start
 * @param secretGroup the group holding the secret itself (0 for the whole match)
 * @param builtIn built-in rules ignore obvious placeholders (fewer than 6 distinct characters in the
 * secret, as in {@code ghp_xxxxxxxx...})
 * @param allowed exact secrets that are documentation examples, never reported
 * @param verifier an extra check of the whole match (the JWT header), or {@code null}
 */
record SecretRule(String name, List<String> keywords, Pattern pattern, int lookBehind, int secretGroup,
		boolean builtIn, Set<String> allowed, Predicate<CharSequence> verifier) {

	/** Longest literal taken from a custom pattern as its prefilter keyword. */
	static final int MAX_KEYWORD = 64;

	/** A name as it may appear in configuration and findings. */
	static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

	SecretRule {
		keywords = List.copyOf(keywords);
		allowed = Set.copyOf(allowed);
	}

	/**
	 * A rule from configuration ({@code warden.policy.secrets.patterns.<name>=<regex>}). The secret is the
	 * first group when the expression has one, else the whole match. When the expression starts with at
	 * least 3 literal characters (after an optional {@code (?i)}, {@code ^} or {@code \b}) they become the
	 * prefilter keyword; otherwise the expression runs over all text.
	 * @throws IllegalArgumentException for a bad name, a bad expression or one that matches nothing
	 */
	static SecretRule custom(String name, String regex) {
		if (name == null || !NAME.matcher(name).matches()) {
			throw new IllegalArgumentException(
					"secret pattern name '" + name + "' must be lower-case letters, digits, '.', '_' or '-'");
		}
		if (regex == null || regex.isEmpty()) {
			throw new IllegalArgumentException("secret pattern '" + name + "' is empty");
		}
		Pattern pattern;
		try {
			pattern = Pattern.compile(regex);
		}
		catch (PatternSyntaxException ex) {
			throw new IllegalArgumentException(
					"secret pattern '" + name + "' is not a valid regular expression: " + ex.getDescription());
		}
		if (pattern.matcher("").matches()) {
			throw new IllegalArgumentException("secret pattern '" + name + "' matches the empty string");
		}
		int groups = pattern.matcher("").groupCount();
		String keyword = literalPrefix(regex);
		return new SecretRule(name, (keyword != null) ? List.of(keyword) : List.of(), pattern, 0,
				(groups > 0) ? 1 : 0, false, Set.of(), null);
	}

	/**
	 * The literal text every match of {@code regex} starts with, when it is at least 3 characters long;
	 * {@code null} when there is none (or the expression is too complex to tell).
	 */
	static String literalPrefix(String regex) {
		int i = 0;
		int n = regex.length();
		if (regex.startsWith("(?i)")) {
			i = 4;
		}
		if (regex.contains("\\Q") || hasTopLevelAlternation(regex)) {
			return null;
		}
		StringBuilder literal = new StringBuilder();
		while (i < n && literal.length() < MAX_KEYWORD) {
			char c = regex.charAt(i);
			int advance;
			char candidate;
			if (literal.length() == 0 && c == '^') {
				i++;
				continue;
			}
			if (c == '\\') {
				if (i + 1 >= n) {
					break;
				}
				char d = regex.charAt(i + 1);
				if (d == 'b' && literal.length() == 0) {
					i += 2;
					continue;
				}
				if (Character.isLetterOrDigit(d)) {
					break;
				}
				candidate = d;
				advance = 2;
			}
			else if ("[](){}.*+?^$|".indexOf(c) >= 0) {
				break;
			}
			else {
				candidate = c;
				advance = 1;
			}
			if (candidate < 0x20 || candidate > 0x7e) {
				break;
			}
			int after = i + advance;
			if (after < n && "?*{".indexOf(regex.charAt(after)) >= 0) {
				break; // optional or repeated: not certainly in the match
			}
			literal.append(candidate);
			i = after;
			if (after < n && regex.charAt(after) == '+') {
				break;
			}
		}
		return (literal.length() >= 3) ? literal.toString() : null;
	}

	private static boolean hasTopLevelAlternation(String regex) {
		int depth = 0;
		boolean inClass = false;
		for (int i = 0; i < regex.length(); i++) {
			char c = regex.charAt(i);
			if (c == '\\') {
				i++;
			}
			else if (inClass) {
				if (c == ']') {
					inClass = false;
				}
			}
			else if (c == '[') {
				inClass = true;
			}
			else if (c == '(') {
				depth++;
			}
			else if (c == ')') {
				depth--;
			}
			else if (c == '|' && depth == 0) {
				return true;
			}
		}
		return false;
	}

}
