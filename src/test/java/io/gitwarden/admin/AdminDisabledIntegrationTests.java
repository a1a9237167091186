package io.gitwarden.admin;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;

import io.gitwarden.testsupport.Tokens;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/** Without {@code warden.admin.token} there is no admin API: every {@code /admin/...} path is a JSON 404. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AdminDisabledIntegrationTests {

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		// never contacted: no request in this test reaches the upstream
		registry.add("warden.upstream.url", () -> "http://127.0.0.1:9");
		registry.add("warden.upstream.token", () -> "unused");
		registry.add("warden.auth.hmac-secret", () -> Tokens.SECRET);
		String auditFile = Files.createTempDirectory("warden-admin-disabled").resolve("audit.jsonl").toString();
		registry.add("warden.audit.file", () -> auditFile);
	}

	@ParameterizedTest
	@ValueSource(strings = { "POST /admin/v1/tokens", "GET /admin/v1/audit", "POST /admin/v1/sessions/s/revoke",
			"GET /admin/v1/other", "GET /admin/x/info/refs?service=git-upload-pack" })
	void everyAdminPathIsNotFound(String call) throws Exception {
		String[] parts = call.split(" ");
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + parts[1]))
				.method(parts[0], HttpRequest.BodyPublishers.ofString("{\"repo\":\"acme/x\",\"scope\":\"fetch\"}"))
				.header("Content-Type", "application/json")
				.header("Authorization", "Bearer " + Tokens.forRepo("acme/x").sign())
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("application/json"));
		assertThat(response.body()).contains("\"error\":\"not_found\"").doesNotContain("git-warden:");
	}

}
