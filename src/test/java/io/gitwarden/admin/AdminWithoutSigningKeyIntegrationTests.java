package io.gitwarden.admin;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import io.gitwarden.auth.MintRequest;
import io.gitwarden.config.TestKeys;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tokens verified by a public key only: the orchestrator signs, git-warden has no private key, so the
 * admin API says clearly that it cannot mint instead of failing.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AdminWithoutSigningKeyIntegrationTests {

	static final String ADMIN_TOKEN = "admin-token-0123456789";

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("warden.upstream.url", () -> "http://127.0.0.1:9");
		registry.add("warden.upstream.token", () -> "unused");
		registry.add("warden.auth.public-key", () -> TestKeys.publicPem(TestKeys.rsa()));
		registry.add("warden.admin.token", () -> ADMIN_TOKEN);
	}

	@Test
	void mintingAnswersConflictNamingTheSetting() throws Exception {
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/admin/v1/tokens"))
				.header("Authorization", "Bearer " + ADMIN_TOKEN)
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString("{\"repo\":\"acme/app\",\"scope\":\"fetch\"}"))
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(409);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("application/json"));
		JsonNode body = JsonMapper.builder().build().readTree(response.body());
		assertThat(body.propertyNames()).containsExactlyInAnyOrder("error", "message");
		assertThat(body.get("error").asString()).isEqualTo("no_signing_key");
		assertThat(body.get("message").asString()).isEqualTo(MintRequest.NO_SIGNING_KEY);
	}

}
