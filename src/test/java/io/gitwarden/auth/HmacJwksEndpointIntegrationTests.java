package io.gitwarden.auth;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import io.gitwarden.testsupport.Tokens;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/** With a shared HMAC secret nothing is public: /.well-known/jwks.json is a 404. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class HmacJwksEndpointIntegrationTests {

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("warden.upstream.url", () -> "http://127.0.0.1:9");
		registry.add("warden.upstream.token", () -> "static-upstream-token");
		registry.add("warden.auth.hmac-secret", () -> Tokens.SECRET);
	}

	@Test
	void publishesNothing() throws Exception {
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/.well-known/jwks.json")).build(),
					HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(response.body()).doesNotContain(Tokens.SECRET).doesNotContain("keys");
	}

}
