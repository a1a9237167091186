package io.gitwarden.auth;

import java.net.URI;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.gitwarden.config.MutableClock;
import io.gitwarden.config.TestKeys;
import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;
import io.gitwarden.web.RefusalStatus;
import io.gitwarden.testsupport.Tokens;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Jwks;
import io.jsonwebtoken.security.Keys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class JwksVerificationKeysTests {

	private static final KeyPair KEY_1 = TestKeys.rsa();

	private static final KeyPair KEY_2 = TestKeys.ec("secp256r1");

	private static final String PATH = "/.well-known/jwks.json";

	private final MutableClock clock = new MutableClock(Instant.now());

	private final AuthProperties properties = TestAuthProperties.of(null, null, Duration.ofHours(24));

	private WireMockServer issuer;

	private JwksVerificationKeys keys;

	private TokenVerifier verifier;

	@BeforeEach
	void start() {
		this.issuer = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
		this.issuer.start();
		this.keys = new JwksVerificationKeys(URI.create(this.issuer.baseUrl() + PATH), Duration.ofMinutes(10),
				Duration.ofMinutes(1), Duration.ofSeconds(2), this.clock);
		this.verifier = new JwtTokenVerifier(this.properties, this.keys, this.clock);
	}

	@AfterEach
	void stop() {
		this.keys.close();
		this.issuer.stop();
	}

	@Test
	void kidSelectsTheKey() {
		publish(jwk(KEY_1, "k1", "RS256"), jwk(KEY_2, "k2", null));
		assertThat(this.verifier.verify(sign(KEY_1, "k1", "RS256")).session()).isEqualTo("session-1");
		assertThat(this.verifier.verify(sign(KEY_2, "k2", "ES256")).session()).isEqualTo("session-1");
		assertRefused(sign(KEY_1, "k2", "RS256"));
		this.issuer.verify(1, getRequestedFor(urlEqualTo(PATH)));
	}

	@Test
	void rotationToANewKidIsPickedUpAtOnce() {
		publish(jwk(KEY_1, "k1", "RS256"));
		assertThat(this.verifier.verify(sign(KEY_1, "k1", "RS256")).session()).isEqualTo("session-1");
		this.clock.advance(Duration.ofMinutes(2));
		publish(jwk(KEY_1, "k1", "RS256"), jwk(KEY_2, "k2", "ES256"));
		assertThat(this.verifier.verify(sign(KEY_2, "k2", "ES256")).session()).isEqualTo("session-1");
		this.issuer.verify(2, getRequestedFor(urlEqualTo(PATH)));
	}

	@Test
	void unknownKidRefreshesAtMostOncePerInterval() {
		publish(jwk(KEY_1, "k1", "RS256"));
		this.verifier.verify(sign(KEY_1, "k1", "RS256"));
		this.clock.advance(Duration.ofMinutes(1));
		for (int i = 0; i < 20; i++) {
			assertRefused(sign(KEY_2, "made-up-" + i, "ES256"));
		}
		this.issuer.verify(2, getRequestedFor(urlEqualTo(PATH)));
		this.clock.advance(Duration.ofSeconds(59));
		assertRefused(sign(KEY_2, "made-up", "ES256"));
		this.issuer.verify(2, getRequestedFor(urlEqualTo(PATH)));
		this.clock.advance(Duration.ofSeconds(1));
		assertRefused(sign(KEY_2, "made-up", "ES256"));
		this.issuer.verify(3, getRequestedFor(urlEqualTo(PATH)));
	}

	@Test
	void lastGoodKeysKeepWorkingWhileTheEndpointIsDown() {
		publish(jwk(KEY_1, "k1", "RS256"));
		this.verifier.verify(sign(KEY_1, "k1", "RS256"));
		this.issuer.stubFor(get(PATH).willReturn(aResponse().withStatus(503)));
		this.clock.advance(Duration.ofMinutes(2));
		// unknown kid forces a fetch, which fails
		assertRefused(sign(KEY_2, "k2", "ES256"));
		this.issuer.verify(2, getRequestedFor(urlEqualTo(PATH)));
		assertThat(this.verifier.verify(sign(KEY_1, "k1", "RS256")).session()).isEqualTo("session-1");
		this.issuer.stop();
		this.clock.advance(Duration.ofMinutes(30));
		assertThat(this.verifier.verify(sign(KEY_1, "k1", "RS256")).session()).isEqualTo("session-1");
	}

	@Test
	void noKeysYetIsServiceUnavailableAndRetriedOnlyAfterTheInterval() {
		this.issuer.stubFor(get(PATH).willReturn(aResponse().withStatus(500)));
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> this.verifier.verify(sign(KEY_1, "k1", "RS256")))
			.satisfies((refusal) -> {
				assertThat(refusal.reason()).isEqualTo(RefusalReason.TOKEN_KEYS_UNAVAILABLE);
				assertThat(RefusalStatus.of(refusal.reason())).isEqualTo(503);
			});
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> this.verifier.verify(sign(KEY_1, "k1", "RS256")));
		this.issuer.verify(1, getRequestedFor(urlEqualTo(PATH)));
		publish(jwk(KEY_1, "k1", "RS256"));
		this.clock.advance(Duration.ofMinutes(1));
		assertThat(this.verifier.verify(sign(KEY_1, "k1", "RS256")).session()).isEqualTo("session-1");
	}

	@Test
	void algorithmMustFitTheKeyTypeAndTheJwkAlg() {
		publish(jwk(KEY_1, "k1", "RS256"));
		// HS256 "signed" with the RSA public key's bytes, naming the RSA key's kid
		String confused = Tokens.forRepo("owner/repo")
			.issuedAt(this.clock.instant())
			.builder()
			.header()
			.keyId("k1")
			.and()
			.signWith(Keys.hmacShaKeyFor(KEY_1.getPublic().getEncoded()), Jwts.SIG.HS256)
			.compact();
		assertRefused(confused);
		// the JWK pins RS256: PS256 with the same key is refused too
		assertRefused(sign(KEY_1, "k1", "PS256"));
	}

	@Test
	void tokenWithoutKidUsesTheOnlyKeyButNotOneOfMany() {
		publish(jwk(KEY_1, "k1", null));
		assertThat(this.verifier.verify(sign(KEY_1, null, "RS256")).session()).isEqualTo("session-1");
		this.clock.advance(Duration.ofMinutes(11));
		publish(jwk(KEY_1, "k1", null), jwk(KEY_2, "k2", null));
		this.keys.close();
		this.keys = new JwksVerificationKeys(URI.create(this.issuer.baseUrl() + PATH), Duration.ofMinutes(10),
				Duration.ofMinutes(1), Duration.ofSeconds(2), this.clock);
		TokenVerifier fresh = new JwtTokenVerifier(this.properties, this.keys, this.clock);
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> fresh.verify(sign(KEY_1, null, "RS256")));
	}

	private void assertRefused(String token) {
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> this.verifier.verify(token))
			.satisfies((refusal) -> assertThat(refusal.reason()).isEqualTo(RefusalReason.TOKEN_INVALID));
	}

	private void publish(String... jwks) {
		this.issuer.stubFor(get(PATH).willReturn(aResponse().withHeader("Content-Type", "application/json")
			.withBody("{\"keys\":[" + String.join(",", jwks) + "]}")));
	}

	private static String jwk(KeyPair pair, String kid, String alg) {
		var builder = Jwks.builder().key(pair.getPublic()).publicKeyUse("sig");
		if (kid != null) {
			builder.id(kid);
		}
		if (alg != null) {
			builder.algorithm(alg);
		}
		return Jwks.json(builder.build());
	}

	private String sign(KeyPair pair, String kid, String alg) {
		var builder = Tokens.forRepo("owner/repo").issuedAt(this.clock.instant()).builder();
		if (kid != null) {
			builder.header().keyId(kid);
		}
		@SuppressWarnings("unchecked")
		var algorithm = (io.jsonwebtoken.security.SecureDigestAlgorithm<java.security.PrivateKey, ?>) Jwts.SIG.get()
			.forKey(alg);
		return builder.signWith(pair.getPrivate(), algorithm).compact();
	}

}
