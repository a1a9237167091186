package io.gitwarden.auth;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.gitwarden.policy.Permission;
import io.gitwarden.protocol.RepositoryId;
import io.gitwarden.refusal.Refusal;
import io.gitwarden.testsupport.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The rules of minting: the older one-repository form and the {@code grants} form, which is checked by the
 * very rules the verifier applies to the {@code grants} claim (same messages), plus the two rules that keep
 * git-warden from signing a token that cannot work.
 */
class MintRequestTests {

	static final JsonMapper JSON = JsonMapper.builder().build();

	static final MintRequest.Limits LIMITS = new MintRequest.Limits(Duration.ofHours(24), 8, "ttlSeconds");

	final JwtTokenVerifier verifier = new JwtTokenVerifier(
			TestAuthProperties.of(Tokens.SECRET, null, Duration.ofHours(24)), new HmacVerificationKeys(Tokens.SECRET),
			Clock.systemUTC(), LIMITS.maxPathDepth());

	static MintRequest grants(String json) {
		return MintRequest.of(new MintRequest.Fields(null, null, null, JSON.readValue(json, Object.class), null, null),
				LIMITS);
	}

	@Test
	void grantsAreMintedAndVerifiedBack() {
		MintRequest request = grants("""
				[{"repo":"acme/app","scope":"fetch push","branches":["claude/*"],"tags":["agent-v*"]},
				 {"repo":"acme/lib","scope":"fetch"}]""");
		assertThat(request.describe()).isEqualTo("acme/app (fetch push), acme/lib (fetch)");
		SessionTokenIssuer issuer = new SessionTokenIssuer(
				io.jsonwebtoken.security.Keys.hmacShaKeyFor(Tokens.SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
				TestAuthProperties.of(Tokens.SECRET, null, Duration.ofHours(24)), Clock.systemUTC());
		SessionToken session = this.verifier.verify(issuer.issue(request).token());
		assertThat(session.grants()).isEqualTo(request.grants());
		assertThat(session.grantFor(RepositoryId.parse("acme/app")).orElseThrow().permissions())
			.containsExactlyInAnyOrder(Permission.FETCH, Permission.PUSH);
	}

	@Test
	void bothFormsAtOnceAreRefused() {
		assertThatExceptionOfType(MintRequest.Invalid.class)
			.isThrownBy(() -> MintRequest.of(new MintRequest.Fields("acme/app", null, "fetch",
					List.of(Map.of("repo", "acme/lib", "scope", "fetch")), null, null), LIMITS))
			.withMessage("'grants' cannot be combined with 'repo', 'branch' or 'scope'");
	}

	/** Structural problems: minting and verification say exactly the same thing. */
	@ParameterizedTest
	@ValueSource(strings = { "[]", "{}", "[1]", "[{\"repo\":\"acme/app\",\"scope\":\"fetch\",\"ttl\":1}]",
			"[{\"repo\":\"acme/app\",\"scope\":\"fetch\"},{\"repo\":\"ACME/APP\",\"scope\":\"fetch\"}]",
			"[{\"repo\":\"acme/app\",\"scope\":\"push\",\"branches\":[\"**\"]}]",
			"[{\"repo\":\"acme/app\",\"scope\":\"push\",\"branches\":[\"a/../b\"]}]",
			"[{\"repo\":\"acme/app\",\"scope\":\"push\",\"tags\":[\"refs/tags/v1\"]}]",
			"[{\"repo\":\"acme/app\",\"scope\":7}]", "[{\"repo\":\"a/b/c/d/e/f/g/h/i\",\"scope\":\"fetch\"}]",
			"[{\"repo\":\"acme/app\",\"scope\":\"push\",\"branches\":\"x\"}]" })
	void mintingAndVerificationRefuseAlike(String json) {
		Object document = JSON.readValue(json, Object.class);
		String minted = messageOf(() -> grants(json));
		String token = Tokens.forRepo("x/y").claim("repo", null).claim("branch", null).claim("scope", null)
			.claim("grants", document)
			.sign();
		String verified = messageOf(() -> this.verifier.verify(token));
		assertThat(verified).isEqualTo("session token rejected: claim " + minted);
	}

	@Test
	void mintingRefusesUnknownScopeWordsAndPushWithoutTargets() {
		assertThatExceptionOfType(MintRequest.Invalid.class)
			.isThrownBy(() -> grants("[{\"repo\":\"acme/app\",\"scope\":\"fetch admin\"}]"))
			.withMessage("unknown scope word 'admin' in 'grants[0].scope'; known: fetch, push, pr");
		assertThatExceptionOfType(MintRequest.Invalid.class)
			.isThrownBy(() -> grants("[{\"repo\":\"acme/app\"}]"))
			.withMessage("'grants[0].scope' must name at least one of: fetch, push, pr");
		assertThatExceptionOfType(MintRequest.Invalid.class)
			.isThrownBy(() -> grants("[{\"repo\":\"acme/lib\",\"scope\":\"fetch\"},{\"repo\":\"acme/app\",\"scope\":\"push\"}]"))
			.withMessage("'grants[1]' has the push scope but names no 'branches' or 'tags'");
		// a tag is a push target too
		assertThat(grants("[{\"repo\":\"acme/app\",\"scope\":\"push\",\"tags\":[\"v*\"]}]").grants()).hasSize(1);
	}

	@Test
	void aTokenTooLongForGitsHeaderIsNotMinted() {
		StringBuilder json = new StringBuilder("[");
		for (int i = 0; i < Grant.MAX_GRANTS; i++) {
			json.append((i > 0) ? "," : "").append("{\"repo\":\"acme/repository-with-a-long-name-").append(i)
				.append("\",\"scope\":\"fetch push\",\"branches\":[\"claude/*\",\"agent/**\",\"feature/x\"]}");
		}
		MintRequest request = grants(json.append("]").toString());
		SessionTokenIssuer issuer = new SessionTokenIssuer(
				io.jsonwebtoken.security.Keys.hmacShaKeyFor(Tokens.SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
				TestAuthProperties.of(Tokens.SECRET, null, Duration.ofHours(24)), Clock.systemUTC());
		assertThatExceptionOfType(MintRequest.Invalid.class).isThrownBy(() -> issuer.issue(request))
			.withMessageContaining("more than the 5120 git can send in a header; name fewer grants or patterns");
	}

	private static String messageOf(Runnable call) {
		try {
			call.run();
		}
		catch (MintRequest.Invalid | Refusal ex) {
			return ex.getMessage();
		}
		throw new AssertionError("not refused");
	}

}
