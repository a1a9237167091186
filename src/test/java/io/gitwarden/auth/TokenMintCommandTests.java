package io.gitwarden.auth;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.gitwarden.config.TestKeys;
import io.gitwarden.testsupport.MintCommand;
import io.gitwarden.testsupport.MintCommand.Run;
import io.gitwarden.testsupport.Tokens;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.Jws;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code token mint}: the token alone on stdout, signed with the key the server would use, or a one-line refusal. */
class TokenMintCommandTests {

	static final String HMAC = "--warden.auth.hmac-secret=" + Tokens.SECRET;

	@Test
	void mintsWithTheSharedSecretAndPrintsOnlyTheToken() {
		Run run = run("--repo", "acme/app", "--branch", "agent/x", "--scope", "fetch push", "--ttl", "10m",
				"--session", "ses-42", HMAC);
		assertThat(run.status()).as(run.err()).isZero();
		assertThat(run.out()).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\n");
		Claims claims = Jwts.parser()
			.verifyWith(Keys.hmacShaKeyFor(Tokens.SECRET.getBytes(StandardCharsets.UTF_8)))
			.build()
			.parseSignedClaims(run.out().strip())
			.getPayload();
		assertThat(claims.getSubject()).isEqualTo("ses-42");
		assertThat(claims.get("repo", String.class)).isEqualTo("acme/app");
		assertThat(claims.get("branch", String.class)).isEqualTo("agent/x");
		assertThat(claims.get("scope", String.class)).isEqualTo("fetch push");
		assertThat(claims.getAudience()).containsExactly("git-warden");
		assertThat(claims.getExpiration().getTime() - claims.getIssuedAt().getTime()).isEqualTo(600_000);
	}

	@Test
	void readsTheIssuerKeyFromApplicationYamlAndHonoursItsSettings(@TempDir Path dir) throws Exception {
		KeyPair key = TestKeys.ec("secp256r1");
		Files.writeString(dir.resolve("key.pem"), TestKeys.encryptedPkcs8Pem(key, "pw"));
		Files.writeString(dir.resolve("application.yaml"), """
				warden:
				  issuer:
				    private-key: file:%s
				    private-key-password: pw
				    key-id: warden-cli
				  auth:
				    issuer: https://warden.example
				    max-token-lifetime: 2h
				""".formatted(dir.resolve("key.pem")));
		Run run = run("--repo=acme/app", "--scope=fetch", "--ttl=7200",
				"--spring.config.additional-location=file:" + dir + "/");
		assertThat(run.status()).as(run.err()).isZero();
		Jws<Claims> jws = Jwts.parser().verifyWith(key.getPublic()).build().parseSignedClaims(run.out().strip());
		assertThat(jws.getHeader().getKeyId()).isEqualTo("warden-cli");
		assertThat(jws.getHeader().getAlgorithm()).isEqualTo("ES256");
		assertThat(jws.getPayload().getIssuer()).isEqualTo("https://warden.example");
		assertThat(jws.getPayload().getSubject()).startsWith("ses_");
		assertThat(jws.getPayload().get("branch")).isNull();
		Run tooLong = run("--repo=acme/app", "--scope=fetch", "--ttl=3h",
				"--spring.config.additional-location=file:" + dir + "/");
		assertThat(tooLong.status()).isEqualTo(2);
		assertThat(tooLong.err()).contains("'ttl' must be between 1 and 7200 seconds (warden.auth.max-token-lifetime)");
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
			bad repository   | --repo acme --scope fetch                                  | 'repo' must be owner/name
			unknown scope    | --repo acme/app --scope 'fetch admin'                      | unknown scope word 'admin' in 'scope'; known: fetch, push, pr
			grants not JSON  | --grants '[{repo:acme/app}]'                               | 'grants' is not valid JSON
			grants and repo  | --repo acme/app --grants '[{"repo":"acme/lib","scope":"fetch"}]' | 'grants' cannot be combined with 'repo', 'branch' or 'scope'
			grant too wide   | --grants '[{"repo":"acme/app","scope":"push","branches":["*"]}]' | 'grants[0].branches': pattern '*' must start with a literal name
			push sans branch | --repo acme/app --scope push                               | 'branch' is required with the push scope
			full ref name    | --repo acme/app --scope push --branch refs/heads/agent/x   | 'branch' is the branch's short name: 'agent/x', not 'refs/heads/agent/x'
			bad branch       | --repo acme/app --scope push --branch a..b                 | 'branch' is not a valid branch name
			too long         | --repo acme/app --scope fetch --ttl 25h                    | 'ttl' must be between 1 and 86400 seconds
			not a duration   | --repo acme/app --scope fetch --ttl soon                   | 'ttl' must be a duration such as 10m, 1h or 3600 (seconds)
			unknown option   | --repos acme/app --scope fetch                             | unknown option '--repos'
			missing value    | --repo acme/app --scope                                    | option '--scope' needs a value
			""")
	void refusesWithOneLineAndStatusTwo(String name, String args, String message) {
		List<String> arguments = new ArrayList<>(List.of(HMAC));
		arguments.addAll(split(args));
		Run run = run(arguments.toArray(String[]::new));
		assertThat(run.status()).isEqualTo(2);
		assertThat(run.out()).isEmpty();
		assertThat(run.err()).startsWith("git-warden token mint: " + message);
	}

	@Test
	void mintsGrantsGivenAsJson() {
		Run run = run("--grants", "[{\"repo\":\"acme/app\",\"scope\":\"fetch push\",\"branches\":[\"claude/*\"]},"
				+ "{\"repo\":\"acme/lib\",\"scope\":\"fetch\"}]", "--session", "ses-grants", HMAC);
		assertThat(run.status()).as(run.err()).isZero();
		Claims claims = Jwts.parser()
			.verifyWith(Keys.hmacShaKeyFor(Tokens.SECRET.getBytes(StandardCharsets.UTF_8)))
			.build()
			.parseSignedClaims(run.out().strip())
			.getPayload();
		assertThat(claims.get("repo")).isNull();
		assertThat(claims.get("grants")).isEqualTo(List.of(
				Map.of("repo", "acme/app", "scope", "fetch push", "branches", List.of("claude/*")),
				Map.of("repo", "acme/lib", "scope", "fetch")));
	}

	@Test
	void withoutASigningKeyItSaysWhatTheAdminApiSays() {
		Run run = run("--repo", "acme/app", "--scope", "fetch",
				"--warden.auth.public-key=" + TestKeys.publicPem(TestKeys.rsa()).replace("\n", "\\n"));
		assertThat(run.status()).isEqualTo(1);
		assertThat(run.out()).isEmpty();
		assertThat(run.err()).isEqualTo("git-warden token mint: " + MintRequest.NO_SIGNING_KEY + "\n");
	}

	@Test
	void invalidConfigurationIsOneLineWithoutTheSecret() {
		Run shortSecret = run("--repo", "acme/app", "--scope", "fetch", "--warden.auth.hmac-secret=short-secret");
		assertThat(shortSecret.status()).isEqualTo(1);
		assertThat(shortSecret.err()).contains("warden.auth.hmac-secret must be at least 32 bytes")
			.doesNotContain("short-secret");
		Run twoSources = run("--repo", "acme/app", "--scope", "fetch", HMAC,
				"--warden.auth.jwks-uri=https://issuer.example/jwks");
		assertThat(twoSources.status()).isEqualTo(1);
		assertThat(twoSources.err()).contains(SigningKeys.KEY_SOURCES).doesNotContain(Tokens.SECRET);
		assertThat(twoSources.out()).isEmpty();
	}

	/** Splits on spaces, keeping 'quoted words' together. */
	static List<String> split(String args) {
		List<String> words = new ArrayList<>();
		java.util.regex.Matcher word = java.util.regex.Pattern.compile("'([^']*)'|(\\S+)").matcher(args);
		while (word.find()) {
			words.add((word.group(1) != null) ? word.group(1) : word.group(2));
		}
		return words;
	}

	static Run run(String... args) {
		return MintCommand.run(List.of(args));
	}

}
