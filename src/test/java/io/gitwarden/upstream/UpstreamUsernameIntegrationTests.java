package io.gitwarden.upstream;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import io.gitwarden.testsupport.GitCli;
import io.gitwarden.testsupport.GitHttpBackendServer;
import io.gitwarden.testsupport.TestRepositories;
import io.gitwarden.testsupport.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A git host that wants another user name with its token (GitLab's {@code oauth2} here): git http-backend
 * behind a check of {@code Basic oauth2:<token>}, and git-warden with {@code warden.upstream.username}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class UpstreamUsernameIntegrationTests {

	static final String UPSTREAM_TOKEN = "glpat-upstream-token";

	static Path scratch;

	static GitCli git;

	static TestRepositories repositories;

	static GitHttpBackendServer upstream;

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void upstream(DynamicPropertyRegistry registry) throws IOException {
		scratch = Files.createTempDirectory("warden-username-it");
		git = new GitCli(scratch.resolve("home"));
		repositories = new TestRepositories(git, Files.createDirectories(scratch.resolve("repos")), scratch);
		upstream = GitHttpBackendServer.start(repositories.root(), "oauth2", UPSTREAM_TOKEN);
		registry.add("warden.upstream.url", () -> upstream.baseUrl().toString());
		registry.add("warden.upstream.token", () -> UPSTREAM_TOKEN);
		registry.add("warden.upstream.username", () -> "oauth2");
		registry.add("warden.auth.hmac-secret", () -> Tokens.SECRET);
	}

	@AfterAll
	static void stop() {
		upstream.close();
	}

	@Test
	void clonesAndPushesWithTheConfiguredUserName() throws IOException {
		repositories.create("group/project", 1);
		String url = "http://x:" + Tokens.forRepo("group/project").sign() + "@127.0.0.1:" + this.port
				+ "/group/project.git";
		Path work = scratch.resolve("work");
		git.run(scratch, "clone", "-q", url, work.toString()).assertSuccess();
		git.run(work, "switch", "-q", "-c", "agent/work").assertSuccess();
		Files.writeString(work.resolve("change.txt"), "change\n");
		git.run(work, "add", ".").assertSuccess();
		git.run(work, "commit", "-qm", "change").assertSuccess();
		git.run(work, "push", "-q", "origin", "agent/work").assertSuccess();
		String pushed = git.run(work, "rev-parse", "HEAD").assertSuccess().stdout().trim();
		assertThat(repositories.resolve("group/project", "refs/heads/agent/work")).isEqualTo(pushed);
	}

	@Test
	void basicCredentialCarriesTheUserName() {
		String expected = "Basic " + Base64.getEncoder().encodeToString("oauth2:t".getBytes(StandardCharsets.UTF_8));
		assertThat(StaticTokenCredentials.basic("oauth2", "t")).isEqualTo(expected);
		assertThat(new StaticTokenCredentials("x-token-auth", "t").authorization(null, null))
			.isEqualTo("Basic eC10b2tlbi1hdXRoOnQ=");
		assertThat(new StaticTokenCredentials("t").authorization(null, null)).isEqualTo("Basic eC1hY2Nlc3MtdG9rZW46dA==");
	}

}
