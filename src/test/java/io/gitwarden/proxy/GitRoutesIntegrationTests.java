package io.gitwarden.proxy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.gitwarden.testsupport.GitFixture;
import io.gitwarden.testsupport.GitHttpBackendServer;
import io.gitwarden.testsupport.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The git routes are served by {@link GitRoutesFilter} ahead of Spring MVC: what the filters in front of it
 * do still happens (security headers, the {@code http.server.requests} observation, now with one {@code uri}
 * per git endpoint), and what is not a git route, or belongs to another feature's prefix, still reaches the
 * dispatcher and its controllers.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "management.server.port=0")
class GitRoutesIntegrationTests {

	static final String REPO = "acme/widgets";

	static GitHttpBackendServer upstream;

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	@DynamicPropertySource
	static void upstream(DynamicPropertyRegistry registry) throws IOException {
		GitFixture fixture = GitFixture.create("warden-routes-it");
		fixture.repositories().create(REPO, 1);
		upstream = GitHttpBackendServer.start(fixture.repositories().root(), "upstream-token");
		fixture.register(registry, () -> upstream.baseUrl().toString(), "upstream-token");
	}

	@AfterAll
	static void stop() throws Exception {
		upstream.close();
	}

	HttpResponse<String> get(int port, String path, String token) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET();
		if (token != null) {
			request.header("Authorization",
					"Basic " + Base64.getEncoder().encodeToString(("x:" + token).getBytes(StandardCharsets.UTF_8)));
		}
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	@Test
	void advertisementIsRelayedWithSecurityHeadersAndObservedPerEndpoint() throws Exception {
		HttpResponse<String> response = get(this.port, "/" + REPO + ".git/info/refs?service=git-upload-pack",
				Tokens.forRepo(REPO).sign());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).startsWith("001e# service=git-upload-pack\n");
		assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
		assertThat(response.headers().firstValue("X-Frame-Options")).hasValue("DENY");
		assertThat(response.headers().firstValue("X-Request-Id")).isPresent();

		HttpResponse<String> challenge = get(this.port, "/" + REPO + ".git/info/refs?service=git-upload-pack", null);
		assertThat(challenge.statusCode()).isEqualTo(401);
		assertThat(challenge.headers().firstValue("WWW-Authenticate")).isPresent();

		String metrics = get(this.managementPort, "/actuator/prometheus", null).body();
		assertThat(metrics).containsPattern(
				"http_server_requests_seconds_count\\{[^}]*status=\"200\"[^}]*uri=\"/\\{repository}/info/refs\"[^}]*} [1-9]");
		assertThat(metrics).containsPattern(
				"http_server_requests_seconds_count\\{[^}]*status=\"401\"[^}]*uri=\"/\\{repository}/info/refs\"[^}]*} [1-9]");
		assertThat(metrics).doesNotContain("acme/widgets");
	}

	@Test
	void whatIsNoGitRouteStillReachesTheDispatcher() throws Exception {
		int before = upstream.requestCount();
		HttpResponse<String> notGit = get(this.port, "/" + REPO + ".git/HEAD", Tokens.forRepo(REPO).sign());
		assertThat(notGit.statusCode()).isEqualTo(404);
		assertThat(notGit.body()).startsWith("git-warden: not a git smart-HTTP endpoint");

		// A git-shaped path under the admin API belongs to the admin API (disabled here: its JSON 404), as it did.
		HttpResponse<String> admin = get(this.port, "/admin/v1/" + REPO + ".git/info/refs?service=git-upload-pack",
				Tokens.forRepo("admin/v1/" + REPO).sign());
		assertThat(admin.statusCode()).isEqualTo(404);
		assertThat(admin.body()).contains("\"error\":\"not_found\"");
		assertThat(upstream.requestCount()).as("requests forwarded upstream").isEqualTo(before);
	}

}
