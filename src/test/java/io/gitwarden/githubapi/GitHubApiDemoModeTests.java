package io.gitwarden.githubapi;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import io.gitwarden.GitWardenApplication;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/** The embedded demo upstream has no GitHub API: its routes say so in GitHub's error shape. */
class GitHubApiDemoModeTests {

	@Test
	void demoModeAnswersThatTheGitHubApiIsNotAvailable() throws Exception {
		Path data = Files.createTempDirectory("warden-demo-api");
		String[] args = { "--server.port=0", "--management.server.port=0",
				"--warden.embedded.repositories=" + data.resolve("repos"), "--warden.audit.file=" + data.resolve("audit.jsonl") };
		try (ConfigurableApplicationContext context = SpringApplication.run(GitWardenApplication.class, args)) {
			int port = ((WebServerApplicationContext) context).getWebServer().getPort();
			HttpClient client = HttpClient.newHttpClient();
			for (String path : new String[] { "/api/v3/repos/demo/hello", "/api/graphql" }) {
				HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
					.header("Authorization", "token anything");
				HttpResponse<String> response = client.send(path.endsWith("graphql")
						? request.POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"{ viewer { login } }\"}")).build()
						: request.GET().build(), HttpResponse.BodyHandlers.ofString());
				assertThat(response.statusCode()).isEqualTo(501);
				assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
						(type) -> assertThat(type).startsWith("application/json"));
				assertThat(response.body()).contains("\"message\":\"git-warden: the GitHub API is not available in demo mode; "
						+ "configure warden.upstream.url and a GitHub credential (docs/github-api.md)\"")
					.contains("\"documentation_url\":");
			}
		}
	}

}
