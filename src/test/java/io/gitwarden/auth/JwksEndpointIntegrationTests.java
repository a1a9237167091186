package io.gitwarden.auth;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Set;

import io.gitwarden.config.TestKeys;
import io.gitwarden.policy.Permission;
import io.gitwarden.protocol.RepositoryId;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Jwks;
import io.jsonwebtoken.security.JwkSet;
import io.jsonwebtoken.security.PublicJwk;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * git-warden minting with its own EC key: the public half is published at /.well-known/jwks.json (not
 * swallowed by the git catch-all), verifies what the issuer mints, and is what git-warden verifies with.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class JwksEndpointIntegrationTests {

	static final KeyPair ISSUER_KEY = TestKeys.ec("secp256r1");

	@LocalServerPort
	int port;

	@Autowired
	SessionTokenIssuer issuer;

	@Autowired
	TokenVerifier verifier;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("warden.upstream.url", () -> "http://127.0.0.1:9");
		registry.add("warden.upstream.token", () -> "static-upstream-token");
		registry.add("warden.issuer.private-key", () -> TestKeys.pkcs8Pem(ISSUER_KEY));
		registry.add("warden.issuer.key-id", () -> "warden-2026");
	}

	@Test
	void publishesThePublicKeyThatVerifiesMintedTokens() throws Exception {
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/.well-known/jwks.json")).build(),
					HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("application/json"));
		JwkSet set = Jwks.setParser().build().parse(response.body());
		assertThat(set.getKeys()).hasSize(1);
		PublicJwk<?> jwk = (PublicJwk<?>) set.getKeys().iterator().next();
		assertThat(jwk.getId()).isEqualTo("warden-2026");
		assertThat(jwk.getAlgorithm()).isEqualTo("ES256");
		assertThat(jwk.getPublicKeyUse()).isEqualTo("sig");
		assertThat(jwk.toKey()).isEqualTo(ISSUER_KEY.getPublic());
		assertThat(response.body()).doesNotContain("\"d\"");

		String token = this.issuer.issue("minted", RepositoryId.parse("owner/repo"), "agent/x", Set.of(Permission.PUSH),
				Duration.ofMinutes(5)).token();
		var jws = Jwts.parser().verifyWith(jwk.toKey()).build().parseSignedClaims(token);
		assertThat(jws.getHeader().getKeyId()).isEqualTo("warden-2026");
		assertThat(jws.getHeader().getAlgorithm()).isEqualTo("ES256");
		assertThat(this.verifier.verify(token).session()).isEqualTo("minted");
	}

}
