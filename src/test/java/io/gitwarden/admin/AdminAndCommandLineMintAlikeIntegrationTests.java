package io.gitwarden.admin;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import io.gitwarden.testsupport.MintCommand;
import io.gitwarden.testsupport.Tokens;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin API ({@code POST /admin/v1/tokens}) and {@code token mint} refuse the same requests with the
 * same message, in the one-repository form and with {@code grants} ({@code --grants '<json>'}); only the
 * name of the lifetime differs ({@code ttlSeconds} in JSON, {@code --ttl}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AdminAndCommandLineMintAlikeIntegrationTests {

	static final String ADMIN_TOKEN = "admin-token-0123456789";

	static final JsonMapper JSON = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("warden.upstream.url", () -> "http://127.0.0.1:9");
		registry.add("warden.upstream.token", () -> "unused");
		registry.add("warden.auth.hmac-secret", () -> Tokens.SECRET);
		registry.add("warden.admin.token", () -> ADMIN_TOKEN);
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', quoteCharacter = '"', nullValues = "-", textBlock = """
			bad repository  | acme          | -                  | fetch       | -      | -
			traversal       | acme/..       | -                  | fetch       | -      | -
			no scope        | acme/app      | -                  | -           | -      | -
			unknown scope   | acme/app      | agent/x            | fetch admin | -      | -
			push, no branch | acme/app      | -                  | push        | -      | -
			full ref name   | acme/app      | refs/heads/agent/x | push        | -      | -
			other ref       | acme/app      | refs/tags/v1       | push        | -      | -
			bad branch      | acme/app      | a..b               | push        | -      | -
			zero lifetime   | acme/app      | -                  | fetch       | 0      | -
			long lifetime   | acme/app      | -                  | fetch       | 86401  | -
			blank session   | acme/app      | -                  | fetch       | -      | "  "
			""")
	void refuseAlike(String name, String repo, String branch, String scope, Long ttlSeconds, String session)
			throws Exception {
		ObjectNode body = JSON.createObjectNode();
		List<String> args = new ArrayList<>(List.of("--warden.auth.hmac-secret=" + Tokens.SECRET));
		if (repo != null) {
			body.put("repo", repo);
			args.addAll(List.of("--repo", repo));
		}
		if (branch != null) {
			body.put("branch", branch);
			args.addAll(List.of("--branch", branch));
		}
		if (scope != null) {
			body.put("scope", scope);
			args.addAll(List.of("--scope", scope));
		}
		if (ttlSeconds != null) {
			body.put("ttlSeconds", ttlSeconds);
			args.addAll(List.of("--ttl", ttlSeconds.toString()));
		}
		if (session != null) {
			body.put("session", session);
			args.addAll(List.of("--session", session));
		}
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/admin/v1/tokens"))
				.header("Authorization", "Bearer " + ADMIN_TOKEN)
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
		JsonNode error = JSON.readTree(response.body());
		assertThat(error.get("error").asString()).isEqualTo("bad_request");
		String apiMessage = error.get("message").asString();

		MintCommand.Run run = MintCommand.run(args);
		assertThat(run.status()).isEqualTo(2);
		assertThat(run.out()).isEmpty();
		assertThat(run.err())
			.isEqualTo("git-warden token mint: " + apiMessage.replace("'ttlSeconds'", "'ttl'") + "\n");
	}


	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', quoteCharacter = '"', nullValues = "-", textBlock = """
			empty                 | []                                                                   | -
			not an array          | {"repo":"acme/app"}                                                  | -
			duplicate repository  | [{"repo":"acme/app","scope":"fetch"},{"repo":"ACME/app","scope":"fetch"}] | -
			** alone              | [{"repo":"acme/app","scope":"push","branches":["**"]}]                | -
			dot dot               | [{"repo":"acme/app","scope":"push","branches":["a/../b"]}]            | -
			wrong type            | [{"repo":"acme/app","scope":["fetch"]}]                              | -
			unknown scope word    | [{"repo":"acme/app","scope":"fetch admin"}]                          | -
			push, no target       | [{"repo":"acme/app","scope":"push"}]                                 | -
			unknown field         | [{"repo":"acme/app","scope":"fetch","ttl":1}]                        | -
			both forms            | [{"repo":"acme/lib","scope":"fetch"}]                                | acme/app
			""")
	void grantsAreRefusedAlike(String name, String grants, String repo) throws Exception {
		ObjectNode body = JSON.createObjectNode();
		body.set("grants", JSON.readTree(grants));
		List<String> args = new ArrayList<>(List.of("--warden.auth.hmac-secret=" + Tokens.SECRET, "--grants", grants));
		if (repo != null) {
			body.put("repo", repo);
			args.addAll(List.of("--repo", repo));
		}
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/admin/v1/tokens"))
				.header("Authorization", "Bearer " + ADMIN_TOKEN)
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
		String apiMessage = JSON.readTree(response.body()).get("message").asString();

		MintCommand.Run run = MintCommand.run(args);
		assertThat(run.status()).isEqualTo(2);
		assertThat(run.out()).isEmpty();
		assertThat(run.err()).isEqualTo("git-warden token mint: " + apiMessage + "\n");
	}

}
