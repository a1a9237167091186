package io.gitwarden.inspect;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class SecretScannerTests {

	static final FakeSecrets fake = new FakeSecrets(42);

	final SecretScanner scanner = SecretScanner.builtIn();

	static Stream<Arguments> secrets() {
		return Stream.of(Arguments.of("github-pat", "token = \"" + fake.githubPat() + "\""),
				Arguments.of("github-oauth-token", "GH_TOKEN=gh" + "o_" + fake.chars(FakeSecrets.ALNUM, 36)),
				Arguments.of("github-app-token", "{\"token\": \"gh" + "s_" + fake.chars(FakeSecrets.ALNUM, 36) + "\"}"),
				Arguments.of("github-app-token", "gh" + "u_" + fake.chars(FakeSecrets.ALNUM, 36)),
				Arguments.of("github-refresh-token", "refresh: gh" + "r_" + fake.chars(FakeSecrets.ALNUM, 76)),
				Arguments.of("github-fine-grained-pat", "export GITHUB_TOKEN=" + fake.githubFineGrainedPat()),
				Arguments.of("aws-access-key-id", "aws_access_key_id = " + fake.awsAccessKeyId()),
				Arguments.of("aws-secret-access-key", "aws_secret_access_key = " + fake.awsSecretAccessKey()),
				Arguments.of("aws-secret-access-key", "AWS_SECRET_ACCESS_KEY: \"" + fake.awsSecretAccessKey() + "\""),
				Arguments.of("aws-secret-access-key", "  \"SecretAccessKey\": \"" + fake.awsSecretAccessKey() + "\","),
				Arguments.of("private-key", fake.privateKey("")), Arguments.of("private-key", fake.privateKey("RSA ")),
				Arguments.of("private-key", fake.privateKey("OPENSSH ")),
				Arguments.of("private-key",
						"String key = \"" + fake.privateKey("EC ").replace("\n", "\\n\" +\n\t\"") + "\";"),
				Arguments.of("private-key",
						"-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: Keybase OpenPGP v1.0.0\n\n"
								+ fake.chars(FakeSecrets.BASE64, 64) + "\n"),
				Arguments.of("slack-token", "SLACK_BOT_TOKEN=" + fake.slackBotToken()),
				Arguments.of("slack-webhook-url", "webhook: " + fake.slackWebhook()),
				Arguments.of("stripe-live-key", "Stripe.apiKey = \"" + fake.stripeLiveKey() + "\";"),
				Arguments.of("google-api-key", "key=" + fake.googleApiKey() + "&q=x"),
				Arguments.of("gitlab-pat", "private_token: " + fake.gitlabPat()),
				Arguments.of("npm-token", "//registry.npmjs.org/:_authToken=" + fake.npmToken()),
				Arguments.of("jwt", "Authorization: Bearer " + fake.jwt("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", 43)),
				Arguments.of("jwt", fake.jwt("{\"typ\":\"JWT\", \"alg\" : \"RS256\"}", 342)));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("secrets")
	void detectsEachBuiltInFormat(String rule, String secretText) throws IOException {
		String text = "first line\nsecond line\n" + secretText + "\nlast line\n";
		SecretScanner.Scan scan = scan(text);
		assertThat(scan.matches()).extracting(SecretScanner.Match::rule).containsExactly(rule);
		SecretScanner.Match match = scan.matches().get(0);
		assertThat(match.line()).isEqualTo(3);
		assertThat(match.start()).hasSizeLessThanOrEqualTo(4);
		assertThat(match.toString()).doesNotContain(secretText.substring(Math.min(secretText.length(), 12)));
	}

	@Test
	void reportsAtMostTheFirstFourCharacters() throws IOException {
		String pat = fake.githubPat();
		SecretScanner.Match match = scan("x = " + pat).matches().get(0);
		assertThat(match.start()).isEqualTo(pat.substring(0, 4));
	}

	@Test
	void ordinaryTextHasNoFindings() throws IOException {
		String text = fake.ordinaryText(50_000);
		assertThat(text).contains("password", "AKIA", "-----BEGIN PRIVATE KEY-----", "secret");
		SecretScanner.Scan scan = scan(text);
		assertThat(scan.matches()).isEmpty();
		assertThat(scan.binary()).isFalse();
		assertThat(scan.bytes()).isEqualTo(text.length());
	}

	@Test
	void commitIdsAndBase64AreNotSecrets() throws IOException {
		StringBuilder text = new StringBuilder();
		for (int i = 0; i < 2000; i++) {
			text.append("commit ").append(fake.chars("0123456789abcdef", 40)).append('\n');
			text.append(fake.chars(FakeSecrets.BASE64, 40)).append('\n');
			text.append("key: ").append(fake.chars(FakeSecrets.BASE64, 40)).append('\n');
			text.append(fake.chars(FakeSecrets.BASE64, 76)).append('\n');
		}
		assertThat(scan(text.toString()).matches()).isEmpty();
	}

	@Test
	void gitWardensOwnSourcesAndDocsHaveNoFindings() throws IOException {
		List<Path> files = new ArrayList<>();
		for (String root : List.of("src/main", "docs", "README.md", "helm")) {
			try (Stream<Path> walk = Files.walk(Path.of(root))) {
				walk.filter(Files::isRegularFile).forEach(files::add);
			}
		}
		assertThat(files).hasSizeGreaterThan(50);
		SecretScanner.Session session = this.scanner.newSession();
		for (Path file : files) {
			try (InputStream in = Files.newInputStream(file)) {
				assertThat(session.scan(in, Long.MAX_VALUE).matches()).as(file.toString()).isEmpty();
			}
		}
	}

	@Test
	void placeholdersAndPublishedExamplesAreIgnored() throws IOException {
		String text = "gh" + "p_" + "x".repeat(36) + "\nAK" + "IAIOSFODNN7EXAMPLE\n"
				+ "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n" + "https://hooks.sl"
				+ "ack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX\n";
		assertThat(scan(text).matches()).isEmpty();
	}

	@Test
	void needsTheWholeTokenNotJustThePrefix() throws IOException {
		String text = "gh" + "p_" + fake.chars(FakeSecrets.ALNUM, 30) + "\nxgh" + "p_" + fake.chars(FakeSecrets.ALNUM, 36)
				+ "\n" + "AK" + "IA" + fake.chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 17) + "\n" + "np" + "m_"
				+ fake.chars(FakeSecrets.ALNUM, 40) + "\n";
		assertThat(scan(text).matches()).isEmpty();
	}

	@Test
	void jwtsNeedASignatureAndAnAlgorithm() throws IOException {
		String unsigned = fake.jwt("{\"alg\":\"none\"}", 0);
		String algNone = fake.jwt("{\"alg\":\"none\",\"typ\":\"JWT\"}", 43);
		String notJson = "eyJ" + fake.chars(FakeSecrets.ALNUM, 30) + "." + fake.chars(FakeSecrets.ALNUM, 30) + "."
				+ fake.chars(FakeSecrets.ALNUM, 30);
		String noAlg = fake.jwt("{\"typ\":\"JWT\"}", 43);
		assertThat(scan(String.join("\n", unsigned, algNone, notJson, noAlg)).matches()).isEmpty();
	}

	@Test
	void aBareFortyCharacterBase64StringIsNotAnAwsSecret() throws IOException {
		String secret = fake.awsSecretAccessKey();
		assertThat(scan("value = " + secret + "\nsecret = " + secret + "\n").matches()).isEmpty();
		assertThat(scan("aws_secret = '" + secret + "'\n").matches()).extracting(SecretScanner.Match::rule)
			.containsExactly("aws-secret-access-key");
	}

	@Test
	void aPemHeaderWithoutKeyMaterialIsNotAKey() throws IOException {
		String code = "if (pem.startsWith(\"-----BEGIN RSA PRIVATE KEY-----\")) {\n\treturn parse(pem);\n}\n"
				+ "private static final String HEADER = \"-----BEGIN PRIVATE KEY-----\";\n";
		assertThat(scan(code).matches()).isEmpty();
	}

	@Test
	void binaryContentIsSkipped() throws IOException {
		byte[] content = ("\0binary" + fake.githubPat()).getBytes(StandardCharsets.ISO_8859_1);
		SecretScanner.Scan scan = this.scanner.scan(new ByteArrayInputStream(content));
		assertThat(scan.binary()).isTrue();
		assertThat(scan.matches()).isEmpty();
	}

	@Test
	void aNulAfterTheFirst8KiBDoesNotMakeContentBinary() throws IOException {
		String text = "a".repeat(SecretScanner.BINARY_CHECK_BYTES) + "\0\n" + fake.githubPat() + "\n";
		SecretScanner.Scan scan = scan(text);
		assertThat(scan.binary()).isFalse();
		assertThat(scan.matches()).extracting(SecretScanner.Match::line).containsExactly(2L);
	}

	@Test
	void findsSecretsAcrossBufferBoundariesWithExactLineNumbers() throws IOException {
		// a secret straddling every offset around the first buffer boundary, each in its own scan
		for (int shift = -60; shift <= 4; shift += 4) {
			int lines = 1000;
			StringBuilder text = new StringBuilder();
			for (int i = 0; i < lines; i++) {
				text.append("line ").append(i).append('\n');
			}
			int padding = SecretScanner.BUFFER + shift - text.length() - 3;
			text.append("x".repeat(padding)).append(" = ");
			String pat = fake.githubPat();
			text.append(pat).append("\nafter\n");
			SecretScanner.Scan scan = scan(text.toString());
			assertThat(scan.matches()).as("shift %d", shift).hasSize(1);
			assertThat(scan.matches().get(0).line()).isEqualTo(lines + 1);
		}
	}

	@Test
	void countsLinesOverManyBuffers() throws IOException {
		StringBuilder text = new StringBuilder();
		for (int i = 1; i < 200_000; i++) {
			text.append("// line ").append(i).append(" of a long file\n");
		}
		text.append("key = ").append(fake.stripeLiveKey()).append('\n');
		text.append("// and more\n".repeat(1000));
		text.append(fake.privateKey("RSA "));
		SecretScanner.Scan scan = scan(text.toString());
		assertThat(scan.matches()).extracting(SecretScanner.Match::rule, SecretScanner.Match::line)
			.containsExactly(org.assertj.core.groups.Tuple.tuple("stripe-live-key", 200_000L),
					org.assertj.core.groups.Tuple.tuple("private-key", 201_001L));
	}

	@Test
	void handlesAVeryLongLineWithBoundedMemory() throws IOException {
		// 64 MiB on one line, never held whole: the stream is generated as it is read
		long size = 64L << 20;
		String pat = fake.githubPat();
		InputStream in = new SequenceInputStream(new RepeatingInputStream((byte) 'a', size / 2),
				new SequenceInputStream(new ByteArrayInputStream((" " + pat + " ").getBytes(StandardCharsets.US_ASCII)),
						new RepeatingInputStream((byte) 'b', size / 2)));
		SecretScanner.Scan scan = this.scanner.newSession().scan(in, Long.MAX_VALUE);
		assertThat(scan.matches()).extracting(SecretScanner.Match::rule, SecretScanner.Match::line)
			.containsExactly(org.assertj.core.groups.Tuple.tuple("github-pat", 1L));
		assertThat(scan.bytes()).isEqualTo(size + pat.length() + 2);
	}

	@Test
	void stopsAtTheByteLimit() throws IOException {
		String text = "a\n".repeat(100_000) + fake.githubPat();
		SecretScanner.Scan scan = this.scanner.newSession()
			.scan(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)), 100_000);
		assertThat(scan.truncated()).isTrue();
		assertThat(scan.bytes()).isEqualTo(100_000);
		assertThat(scan.matches()).isEmpty();
	}

	@Test
	void aSessionIsReusedAcrossStreamsOfEverySize() throws IOException {
		SecretScanner.Session session = this.scanner.newSession();
		String pat = fake.githubPat();
		for (int size : new int[] { 0, 10, 200, 5_000, 300_000, 50, 70_000, 1 }) {
			String text = "x".repeat(size) + "\n" + pat + "\n";
			byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
			for (long limit : new long[] { bytes.length, Long.MAX_VALUE }) {
				SecretScanner.Scan scan = session.scan(new ByteArrayInputStream(bytes), limit);
				assertThat(scan.truncated()).isFalse();
				assertThat(scan.bytes()).isEqualTo(bytes.length);
				assertThat(scan.matches()).as("size %d limit %d", size, limit)
					.extracting(SecretScanner.Match::line)
					.containsExactly(2L);
			}
			SecretScanner.Scan cut = session.scan(new ByteArrayInputStream(bytes), size);
			assertThat(cut.truncated()).isTrue();
			assertThat(cut.matches()).isEmpty();
		}
	}

	@Test
	void contentPushedPieceByPieceGivesTheSameResultAsAStream() throws IOException {
		StringBuilder text = new StringBuilder();
		for (int i = 0; i < 30; i++) {
			text.append(fake.ordinaryText(500)).append("k=").append(fake.githubPat()).append('\n');
			text.append(fake.privateKey("EC "));
		}
		byte[] bytes = text.toString().getBytes(StandardCharsets.US_ASCII);
		SecretScanner.Scan pulled = scan(text.toString());
		assertThat(pulled.matchCount()).isEqualTo(60);
		java.util.Random random = new java.util.Random(5);
		SecretScanner.Session session = this.scanner.newSession();
		for (long declared : new long[] { bytes.length, Long.MAX_VALUE }) {
			session.begin(declared);
			for (int at = 0; at < bytes.length;) {
				int n = Math.min(bytes.length - at, 1 + random.nextInt(20_000));
				assertThat(session.feed(bytes, at, n)).isTrue();
				at += n;
			}
			SecretScanner.Scan pushed = session.finish();
			assertThat(pushed.matches()).isEqualTo(pulled.matches());
			assertThat(pushed.bytes()).isEqualTo(bytes.length);
			assertThat(pushed.truncated()).isFalse();
		}
		session.begin(10);
		assertThat(session.feed(bytes, 0, 100)).isFalse();
		assertThat(session.finish().truncated()).isTrue();
		session.begin(100_000);
		assertThat(session.feed(new byte[] { 'a', 0, 'b' }, 0, 3)).isTrue();
		assertThat(session.finish().binary()).isTrue();
	}

	@Test
	void keepsAtMostAHundredMatchesButCountsAll() throws IOException {
		StringBuilder text = new StringBuilder();
		for (int i = 0; i < 150; i++) {
			text.append(fake.githubPat()).append('\n');
		}
		SecretScanner.Scan scan = scan(text.toString());
		assertThat(scan.matches()).hasSize(SecretScanner.MAX_MATCHES);
		assertThat(scan.matchCount()).isEqualTo(150);
	}

	@Test
	void customPatternsWithAndWithoutALiteralStart() throws IOException {
		SecretScanner custom = SecretScanner.withCustomPatterns(
				Map.of("corp-token", "corp_tok_([a-z0-9]{24})", "employee-id", "\\bEMP-[0-9]{6}\\b"));
		String token = fake.chars("abcdefghijklmnopqrstuvwxyz0123456789", 24);
		String text = "x\ncorp_tok_" + token + "\ny\nid EMP-123456 z\n" + fake.githubPat() + "\n";
		SecretScanner.Scan scan = custom.newSession()
			.scan(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)), Long.MAX_VALUE);
		assertThat(scan.matches()).extracting(SecretScanner.Match::rule, SecretScanner.Match::line, SecretScanner.Match::start)
			.containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("corp-token", 2L, token.substring(0, 4)),
					org.assertj.core.groups.Tuple.tuple("employee-id", 4L, "EM"),
					org.assertj.core.groups.Tuple.tuple("github-pat", 5L, "ghp_"));
		assertThat(custom.ruleNames()).contains("github-pat", "corp-token", "employee-id");
	}

	@Test
	void customPatternsWithoutALiteralStartAreFoundAcrossBuffers() throws IOException {
		SecretScanner custom = SecretScanner.withCustomPatterns(Map.of("ssn", "[0-9]{3}-[0-9]{2}-[0-9]{4}"));
		String text = "z".repeat(SecretScanner.BUFFER - SecretScanner.AFTER - 5) + " 123-45-6789 \n"
				+ "y".repeat(3 * SecretScanner.BUFFER) + "\n987-65-4321\n";
		SecretScanner.Scan scan = custom.newSession()
			.scan(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)), Long.MAX_VALUE);
		assertThat(scan.matches()).extracting(SecretScanner.Match::line).containsExactly(1L, 3L);
	}

	@Test
	void rejectsBadCustomPatterns() {
		assertThatIllegalArgumentException().isThrownBy(() -> SecretScanner.withCustomPatterns(Map.of("x", "(")))
			.withMessageContaining("not a valid regular expression");
		assertThatIllegalArgumentException().isThrownBy(() -> SecretScanner.withCustomPatterns(Map.of("x", "a*")))
			.withMessageContaining("matches the empty string");
		assertThatIllegalArgumentException().isThrownBy(() -> SecretScanner.withCustomPatterns(Map.of("Bad Name", "abc")))
			.withMessageContaining("must be lower-case");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> SecretScanner.withCustomPatterns(Map.of("github-pat", "abc")))
			.withMessageContaining("taken");
	}

	@ParameterizedTest(name = "{0} -> {1}")
	@org.junit.jupiter.params.provider.CsvSource(delimiterString = " => ", nullValues = "-", textBlock = """
			corp_tok_[a-z]{4} => corp_tok_
			(?i)corp_tok_[a-z]{4} => corp_tok_
			^corp[0-9]+ => corp
			\\bcorp\\.example/[0-9]+ => corp.example/
			abcd?e => abc
			abc+ => abc
			ab => -
			a|bcdef => -
			(abc)def => -
			[a-z]+corp => -
			\\d{3}corp => -
			abc(d|e) => abc
			""")
	void takesTheLiteralStartOfCustomPatternsAsKeyword(String regex, String keyword) {
		assertThat(SecretRule.literalPrefix(regex)).isEqualTo(keyword);
	}

	// --- the keyword prefilter finds exactly what indexOf finds

	@Property(tries = 300)
	void automatonFindsEveryKeywordOccurrence(@ForAll("keywordSets") List<String> keywords,
			@ForAll("texts") String text) {
		List<KeywordAutomaton.Keyword> list = new ArrayList<>();
		for (int i = 0; i < keywords.size(); i++) {
			list.add(new KeywordAutomaton.Keyword(keywords.get(i), i));
		}
		KeywordAutomaton automaton = new KeywordAutomaton(list);
		List<String> found = new ArrayList<>();
		int state = 0;
		byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
		for (int i = 0; i < bytes.length; i++) {
			state = automaton.next[(state << 8) | (bytes[i] & 0xff)];
			if (state >= automaton.firstAccepting) {
				int[] out = automaton.outputs[state - automaton.firstAccepting];
				for (int k = 0; k < out.length; k += 2) {
					found.add(out[k] + "@" + (i - out[k + 1] + 1));
				}
			}
		}
		List<String> expected = new ArrayList<>();
		String folded = text.toLowerCase(java.util.Locale.ROOT);
		for (int k = 0; k < keywords.size(); k++) {
			String keyword = keywords.get(k).toLowerCase(java.util.Locale.ROOT);
			for (int at = folded.indexOf(keyword); at >= 0; at = folded.indexOf(keyword, at + 1)) {
				expected.add(k + "@" + at);
			}
		}
		Collections.sort(found);
		Collections.sort(expected);
		assertThat(found).isEqualTo(expected);
	}

	@Provide
	Arbitrary<List<String>> keywordSets() {
		return Arbitraries.strings().withChars("abAB_").ofMinLength(1).ofMaxLength(5).list().ofMinSize(1).ofMaxSize(6);
	}

	@Provide
	Arbitrary<String> texts() {
		return Arbitraries.strings().withChars("abAB_c").ofMaxLength(60);
	}

	private SecretScanner.Scan scan(String text) throws IOException {
		return this.scanner.scan(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
	}

	/** {@code length} copies of one byte, generated as read. */
	static final class RepeatingInputStream extends InputStream {

		private final byte value;

		private long remaining;

		RepeatingInputStream(byte value, long length) {
			this.value = value;
			this.remaining = length;
		}

		@Override
		public int read() {
			if (this.remaining <= 0) {
				return -1;
			}
			this.remaining--;
			return this.value & 0xff;
		}

		@Override
		public int read(byte[] buffer, int offset, int length) {
			if (this.remaining <= 0) {
				return -1;
			}
			int n = (int) Math.min(length, this.remaining);
			java.util.Arrays.fill(buffer, offset, offset + n, this.value);
			this.remaining -= n;
			return n;
		}

	}

}
