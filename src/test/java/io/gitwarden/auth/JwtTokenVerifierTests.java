package io.gitwarden.auth;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.gitwarden.policy.Permission;
import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;
import io.gitwarden.protocol.RepositoryId;
import io.gitwarden.testsupport.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class JwtTokenVerifierTests {

	static final Instant NOW = Instant.now();

	final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

	JwtTokenVerifier verifier(String issuer) {
		AuthProperties properties = TestAuthProperties.of(Tokens.SECRET, issuer, Duration.ofHours(1));
		return new JwtTokenVerifier(properties, new HmacVerificationKeys(Tokens.SECRET), this.clock, 8);
	}

	@Test
	void validTokenBecomesASession() {
		String token = Tokens.forRepo("Acme/App").issuedAt(NOW.minusSeconds(5)).ttl(Duration.ofMinutes(10)).sign();
		SessionToken session = verifier(null).verify(token);
		assertThat(session.session()).isEqualTo("session-1");
		assertThat(session.grants()).hasSize(1);
		Grant grant = session.grants().get(0);
		assertThat(grant.repository()).isEqualTo(new RepositoryId("Acme", "App"));
		assertThat(grant.branches()).extracting(RefPattern::text).containsExactly("agent/work");
		assertThat(grant.tags()).isEmpty();
		assertThat(grant.permissions()).isEqualTo(Set.of(Permission.FETCH, Permission.PUSH));
		assertThat(session.issuedAt()).isEqualTo(NOW.minusSeconds(5).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
		assertThat(session.tokenSha256()).hasSize(64).isEqualTo(JwtTokenVerifier.sha256(token));
	}

	@Test
	void clockSkewIsTolerated() {
		String justExpired = Tokens.forRepo("a/b").issuedAt(NOW.minusSeconds(620)).ttl(Duration.ofSeconds(600)).sign();
		assertThat(verifier(null).verify(justExpired).session()).isEqualTo("session-1");
		String expired = Tokens.forRepo("a/b").issuedAt(NOW.minusSeconds(700)).ttl(Duration.ofSeconds(600)).sign();
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> verifier(null).verify(expired))
			.satisfies((refusal) -> assertThat(refusal.reason()).isEqualTo(RefusalReason.TOKEN_EXPIRED));
	}

	@Test
	void lifetimeIsMeasuredFromIssuedAtOrNow() {
		String exactlyMax = Tokens.forRepo("a/b").issuedAt(NOW).ttl(Duration.ofHours(1)).sign();
		assertThat(verifier(null).verify(exactlyMax)).isNotNull();
		String tooLong = Tokens.forRepo("a/b").issuedAt(NOW).ttl(Duration.ofHours(1).plusSeconds(1)).sign();
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> verifier(null).verify(tooLong))
			.withMessageContaining("lifetime exceeds");
		String noIatTooLong = Tokens.forRepo("a/b").issuedAt(null).ttl(Duration.ofHours(2)).sign();
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> verifier(null).verify(noIatTooLong))
			.withMessageContaining("lifetime exceeds");
	}

	@Test
	void issuerIsCheckedWhenConfigured() {
		String token = Tokens.forRepo("a/b").claim("iss", "orchestrator").sign();
		assertThat(verifier("orchestrator").verify(token)).isNotNull();
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> verifier("someone-else").verify(token))
			.withMessageContaining("issuer not accepted");
		assertThatExceptionOfType(Refusal.class)
			.isThrownBy(() -> verifier("orchestrator").verify(Tokens.forRepo("a/b").sign()))
			.withMessageContaining("issuer not accepted");
	}

	@Test
	void unknownScopeWordsGrantNothing() {
		String token = Tokens.forRepo("a/b").claim("scope", "admin  fetch delete").sign();
		assertThat(verifier(null).verify(token).grants().get(0).permissions()).containsExactly(Permission.FETCH);
	}

	@Test
	void refusalsNeverContainTheToken() {
		String token = Tokens.forRepo("a/b").audience("x").sign();
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> verifier(null).verify(token))
			.satisfies((refusal) -> assertThat(refusal.getMessage() + refusal.advice()).doesNotContain(token));
	}

	@Test
	void extractsTheTokenFromBasicOrBearer() {
		assertThat(SessionAuthenticator.extractToken("Bearer abc.def.ghi")).isEqualTo("abc.def.ghi");
		assertThat(SessionAuthenticator.extractToken("Basic eDphYmMuZGVmLmdoaQ==")).isEqualTo("abc.def.ghi");
		assertThat(SessionAuthenticator.extractToken("basic YWJjLmRlZi5naGk6")).isEqualTo("abc.def.ghi");
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> SessionAuthenticator.extractToken(null))
			.satisfies((refusal) -> assertThat(refusal.reason()).isEqualTo(RefusalReason.CREDENTIALS_MISSING));
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> SessionAuthenticator.extractToken("Digest x"))
			.satisfies((refusal) -> assertThat(refusal.reason()).isEqualTo(RefusalReason.TOKEN_INVALID));
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> SessionAuthenticator.extractToken("Basic !!!"))
			.satisfies((refusal) -> assertThat(refusal.reason()).isEqualTo(RefusalReason.TOKEN_INVALID));
	}


	@Test
	void grantsClaimGivesOneGrantPerRepository() {
		String token = Tokens.forRepo("unused/unused").claim("repo", null).claim("branch", null).claim("scope", null)
			.claim("grants", List.of(
					Map.of("repo", "acme/app", "scope", "fetch push", "branches", List.of("claude/*", "agent/x"),
							"tags", List.of("agent-v*")),
					Map.of("repo", "group/sub/lib", "scope", "fetch")))
			.sign();
		SessionToken session = verifier(null).verify(token);
		assertThat(session.grants()).hasSize(2);
		Grant app = session.grantFor(RepositoryId.parse("ACME/app")).orElseThrow();
		assertThat(app.permissions()).containsExactlyInAnyOrder(Permission.FETCH, Permission.PUSH);
		assertThat(app.branches()).extracting(RefPattern::text).containsExactly("claude/*", "agent/x");
		assertThat(app.tags()).extracting(RefPattern::text).containsExactly("agent-v*");
		Grant lib = session.grantFor(RepositoryId.parse("group/sub/lib")).orElseThrow();
		assertThat(lib.permissions()).containsExactly(Permission.FETCH);
		assertThat(lib.hasPushTargets()).isFalse();
		assertThat(session.grantFor(RepositoryId.parse("acme/other"))).isEmpty();
		assertThat(session.repositories()).isEqualTo("acme/app, group/sub/lib");
	}

	static Stream<Arguments> invalidGrants() {
		List<Object> tooMany = new ArrayList<>();
		for (int i = 0; i <= Grant.MAX_GRANTS; i++) {
			tooMany.add(Map.of("repo", "acme/r" + i, "scope", "fetch"));
		}
		return Stream.of(
				Arguments.of("empty", List.of(), "'grants' is empty"),
				Arguments.of("not an array", Map.of("repo", "acme/app"), "'grants' must be an array of objects"),
				Arguments.of("entry not an object", List.of("acme/app"), "'grants[0]' must be an object"),
				Arguments.of("duplicate repository", List.of(Map.of("repo", "acme/app", "scope", "fetch"),
						Map.of("repo", "Acme/App", "scope", "push")), "'grants' names Acme/App twice"),
				Arguments.of("** alone", List.of(Map.of("repo", "acme/app", "scope", "push", "branches", List.of("**"))),
						"'grants[0].branches': pattern '**' must start with a literal name"),
				Arguments.of("* alone", List.of(Map.of("repo", "acme/app", "scope", "push", "tags", List.of("*"))),
						"'grants[0].tags': pattern '*' must start with a literal name"),
				Arguments.of("dot dot", List.of(Map.of("repo", "acme/app", "scope", "push", "branches",
						List.of("claude/../main"))), "'grants[0].branches': pattern 'claude/../main' contains '..'"),
				Arguments.of("leading dash", List.of(Map.of("repo", "acme/app", "scope", "push", "branches",
						List.of("-f"))), "'grants[0].branches': pattern '-f' starts with '-'"),
				Arguments.of("reflog syntax", List.of(Map.of("repo", "acme/app", "scope", "push", "branches",
						List.of("a@{1}"))), "contains '..', '@{' or '\\'"),
				Arguments.of("control character", List.of(Map.of("repo", "acme/app", "scope", "push", "branches",
						List.of("a\u0001b"))), "a pattern contains a control character"),
				Arguments.of("full ref name", List.of(Map.of("repo", "acme/app", "scope", "push", "branches",
						List.of("refs/heads/claude/x"))), "'grants[0].branches' takes short names: 'claude/x', not 'refs/heads/claude/x'"),
				Arguments.of("too many", tooMany, "'grants' has more than 32 entries"),
				Arguments.of("repo not a string", List.of(Map.of("repo", 42, "scope", "fetch")),
						"'grants[0].repo' must be owner/name"),
				Arguments.of("repo missing", List.of(Map.of("scope", "fetch")), "'grants[0].repo' must be owner/name"),
				Arguments.of("repo traversal", List.of(Map.of("repo", "acme/..", "scope", "fetch")),
						"'grants[0].repo' must be owner/name"),
				Arguments.of("repo too deep", List.of(Map.of("repo", "a/b/c/d/e/f/g/h/i", "scope", "fetch")),
						"'grants[0].repo' has more than 8 path segments (warden.upstream.max-path-depth)"),
				Arguments.of("scope not a string", List.of(Map.of("repo", "acme/app", "scope", List.of("fetch"))),
						"'grants[0].scope' must be a string"),
				Arguments.of("branches not an array", List.of(Map.of("repo", "acme/app", "scope", "push", "branches",
						"claude/*")), "'grants[0].branches' must be an array of strings"),
				Arguments.of("branch not a string", List.of(Map.of("repo", "acme/app", "scope", "push", "branches",
						List.of(7))), "'grants[0].branches' must be an array of strings"),
				Arguments.of("unknown field", List.of(Map.of("repo", "acme/app", "scope", "fetch", "branch", "x")),
						"'grants[0]' has an unknown field 'branch' (known: repo, scope, branches, tags)"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("invalidGrants")
	void invalidGrantDocumentsAreRefusedWithTheReason(String name, Object grants, String reason) {
		String token = Tokens.forRepo("x/y").claim("repo", null).claim("branch", null).claim("scope", null)
			.claim("grants", grants)
			.sign();
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> verifier(null).verify(token))
			.satisfies((refusal) -> assertThat(refusal.reason()).isEqualTo(RefusalReason.TOKEN_INVALID))
			.withMessageStartingWith("session token rejected: claim ")
			.withMessageContaining(reason);
	}

	@Test
	void grantsCannotBeCombinedWithTheOlderClaims() {
		String token = Tokens.forRepo("acme/app").claim("grants", List.of(Map.of("repo", "acme/lib", "scope", "fetch")))
			.sign();
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> verifier(null).verify(token))
			.withMessage("session token rejected: claim 'grants' cannot be combined with 'repo', 'branch' or 'scope'");
	}

	@Test
	void repositoryPathsMayNotBeDeeperThanConfigured() {
		AuthProperties properties = TestAuthProperties.of(Tokens.SECRET, null, Duration.ofHours(1));
		JwtTokenVerifier shallow = new JwtTokenVerifier(properties, new HmacVerificationKeys(Tokens.SECRET), this.clock,
				3);
		assertThat(shallow.verify(Tokens.forRepo("group/sub/project").sign()).grants().get(0).repository())
			.isEqualTo(RepositoryId.parse("group/sub/project"));
		assertThatExceptionOfType(Refusal.class)
			.isThrownBy(() -> shallow.verify(Tokens.forRepo("group/sub/deeper/project").sign()))
			.withMessage("session token rejected: claim 'repo' has more than 3 path segments (warden.upstream.max-path-depth)");
	}

	@Test
	void aClaimNamedTwiceIsRefusedNotReadAsEitherValue() throws Exception {
		long now = NOW.getEpochSecond();
		String claims = "{\"sub\":\"session-1\",\"repo\":\"acme/app\",\"scope\":\"fetch\",\"iat\":" + now
				+ ",\"exp\":" + (now + 600) + ",\"aud\":\"git-warden\"}";
		assertThat(verifier(null).verify(hs256(claims)).grants().get(0).repository())
			.isEqualTo(RepositoryId.parse("acme/app"));
		String twice = claims.replace("\"scope\"", "\"repo\":\"acme/other\",\"scope\"");
		String token = hs256(twice);
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> verifier(null).verify(token))
			.satisfies((refusal) -> assertThat(refusal.getMessage()).doesNotContain(token));
	}

	/** A token signed with the test secret whose claims are exactly {@code claims}, duplicates included. */
	static String hs256(String claims) throws Exception {
		Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
		String signingInput = base64.encodeToString("{\"alg\":\"HS256\"}".getBytes(StandardCharsets.UTF_8)) + "."
				+ base64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
		Mac mac = Mac.getInstance("HmacSHA256");
		mac.init(new SecretKeySpec(Tokens.SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
		return signingInput + "." + base64.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
	}

}
