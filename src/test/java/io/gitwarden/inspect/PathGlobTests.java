package io.gitwarden.inspect;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNoException;

class PathGlobTests {

	@ParameterizedTest(name = "{0} ~ {1} -> {2}")
	@CsvSource(delimiter = '|', textBlock = """
			.github/workflows/**  | .github/workflows/ci.yml          | true
			.github/workflows/**  | .github/workflows/sub/deep/x.yml   | true
			.github/workflows/**  | .github/workflows                 | true
			.github/workflows/**  | .github/workflowsx/ci.yml         | false
			.github/workflows/**  | .github/other.yml                 | false
			.github/workflows/**  | x/.github/workflows/ci.yml        | false
			.github/workflows/**  | .GitHub/workflows/ci.yml          | false
			a/b                   | a/b                               | true
			a/b                   | a/b/c                             | false
			a/b                   | a                                 | false
			a/b                   | a/bc                              | false
			src/*.java            | src/A.java                        | true
			src/*.java            | src/.java                         | true
			src/*.java            | src/a/B.java                      | false
			*                     | a                                 | true
			*                     | a/b                               | false
			**                    | a/b/c                             | true
			**/x                  | x                                 | true
			**/x                  | a/b/x                             | true
			**/x                  | a/xy                              | false
			a/**/b                | a/b                               | true
			a/**/b                | a/x/y/b                           | true
			a/**/b                | a/x/y/c                           | false
			a/**/**/b             | a/b                               | true
			v?.txt                | v1.txt                            | true
			v?.txt                | v10.txt                           | false
			v?.txt                | v/.txt                            | false
			foo**bar              | fooXbar                           | true
			foo**bar              | foo/bar                           | false
			*.y*ml                | ci.yaml                           | true
			*.y*ml                | ci.yml                            | true
			*.y*ml                | ci.ymlx                           | false
			refs/heads/agent/*    | refs/heads/agent/fix-1            | true
			refs/heads/agent/*    | refs/heads/agent/fix/1            | false
			refs/heads/agent/*    | refs/heads/agent                  | false
			""")
	void matchesWholePaths(String pattern, String path, boolean expected) {
		assertThat(PathGlob.compile(pattern).matches(path)).isEqualTo(expected);
	}

	@ParameterizedTest(name = "{0} below {1} -> {2}")
	@CsvSource(delimiter = '|', textBlock = """
			.github/workflows/**  | .github            | true
			.github/workflows/**  | .github/workflows  | true
			.github/workflows/**  | .git               | false
			.github/workflows/**  | src                | false
			a/b                   | a                  | true
			a/b                   | a/b                | false
			**/x                  | anything/at/all    | true
			*/x                   | a                  | true
			*/x                   | a/b                | false
			""")
	void knowsWhetherAMatchCanLieBelowADirectory(String pattern, String directory, boolean expected) {
		assertThat(PathGlob.compile(pattern).matchesBelow(directory)).isEqualTo(expected);
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "a/../b", "a..b", "refs/heads/x@{1}", "a\\b", "a\tb", "a\u007fb", "-rf", "/a", "a/",
			"a//b" })
	void rejectsUnsafeOrMalformedPatterns(String pattern) {
		assertThatIllegalArgumentException().isThrownBy(() -> PathGlob.compile(pattern))
			.withMessageStartingWith("invalid pattern");
	}

	@ParameterizedTest
	@ValueSource(strings = { "*", "**", "*/main", "**/main", "re?s/heads/x" })
	void refPatternsNeedALiteralFirstSegment(String pattern) {
		assertThatNoException().isThrownBy(() -> PathGlob.validate(pattern, false));
		assertThatIllegalArgumentException().isThrownBy(() -> PathGlob.validate(pattern, true))
			.withMessageContaining("first segment must be literal");
	}

	@ParameterizedTest
	@ValueSource(strings = { "refs/heads/agent/*", "refs/tags/v*", "refs/heads/**" })
	void acceptsRefPatterns(String pattern) {
		assertThatNoException().isThrownBy(() -> PathGlob.validate(pattern, true));
	}

	@org.junit.jupiter.api.Test
	void rejectsTooManySegments() {
		String pattern = String.join("/", java.util.Collections.nCopies(PathGlob.MAX_SEGMENTS + 1, "a"));
		assertThatIllegalArgumentException().isThrownBy(() -> PathGlob.compile(pattern))
			.withMessageContaining("segments");
		assertThat(PathGlob.compile(pattern.substring(2)).matches(pattern.substring(2))).isTrue();
	}

	@org.junit.jupiter.api.Test
	void questionMarkMatchesOneCodePoint() {
		assertThat(PathGlob.compile("x?y").matches("x\uD83D\uDE00y")).isTrue();
		assertThat(PathGlob.compile("x??y").matches("x\uD83D\uDE00y")).isFalse();
	}

	// --- properties: the compiled glob agrees with a plain backtracking matcher

	@Property(tries = 3000)
	void agreesWithReferenceMatcher(@ForAll("patterns") String pattern, @ForAll("paths") String path) {
		PathGlob glob = PathGlob.compile(pattern);
		assertThat(glob.matches(path)).as("%s ~ %s", pattern, path).isEqualTo(reference(pattern, path));
	}

	@Property(tries = 3000)
	void matchesBelowAgreesWithReference(@ForAll("patterns") String pattern, @ForAll("paths") String directory) {
		PathGlob glob = PathGlob.compile(pattern);
		assertThat(glob.matchesBelow(directory)).as("%s below %s", pattern, directory)
			.isEqualTo(referenceBelow(segments(pattern), 0, segments(directory), 0));
	}

	@Property(tries = 500)
	void aPathMatchingAPatternHasEveryParentDirectoryMatchingBelow(@ForAll("patterns") String pattern,
			@ForAll("paths") String path) {
		PathGlob glob = PathGlob.compile(pattern);
		if (glob.matches(path)) {
			String directory = path;
			while (directory.contains("/")) {
				directory = directory.substring(0, directory.lastIndexOf('/'));
				assertThat(glob.matchesBelow(directory)).as("%s below %s", pattern, directory).isTrue();
			}
		}
	}

	@Provide
	Arbitrary<String> patterns() {
		return Arbitraries.of("a", "b", "ab", "*", "**", "?", "a*", "*b", "a?", "*a*", "?*?")
			.list()
			.ofMinSize(1)
			.ofMaxSize(5)
			.map((list) -> String.join("/", list));
	}

	@Provide
	Arbitrary<String> paths() {
		return Arbitraries.of("a", "b", "ab", "ba", "aab", "x", "abab")
			.list()
			.ofMinSize(1)
			.ofMaxSize(6)
			.map((list) -> String.join("/", list));
	}

	private static List<String> segments(String text) {
		return Arrays.asList(text.split("/", -1));
	}

	private static boolean reference(String pattern, String path) {
		return reference(segments(pattern), 0, segments(path), 0);
	}

	private static boolean reference(List<String> pattern, int i, List<String> path, int j) {
		if (i == pattern.size()) {
			return j == path.size();
		}
		if (pattern.get(i).equals("**")) {
			for (int k = j; k <= path.size(); k++) {
				if (reference(pattern, i + 1, path, k)) {
					return true;
				}
			}
			return false;
		}
		return j < path.size() && segmentMatches(pattern.get(i), path.get(j)) && reference(pattern, i + 1, path, j + 1);
	}

	private static boolean referenceBelow(List<String> pattern, int i, List<String> directory, int j) {
		if (j == directory.size()) {
			return i < pattern.size();
		}
		if (i == pattern.size()) {
			return false;
		}
		if (pattern.get(i).equals("**")) {
			return referenceBelow(pattern, i + 1, directory, j) || referenceBelow(pattern, i, directory, j + 1);
		}
		return segmentMatches(pattern.get(i), directory.get(j)) && referenceBelow(pattern, i + 1, directory, j + 1);
	}

	private static boolean segmentMatches(String glob, String segment) {
		StringBuilder regex = new StringBuilder();
		for (char c : glob.toCharArray()) {
			regex.append(switch (c) {
				case '*' -> "[^/]*";
				case '?' -> "[^/]";
				default -> Pattern.quote(String.valueOf(c));
			});
		}
		return segment.matches(regex.toString());
	}

}
