package io.gitwarden.proxy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.gitwarden.testsupport.GitHttpBackendServer;
import io.gitwarden.testsupport.GitCli;
import io.gitwarden.testsupport.TestRepositories;
import io.gitwarden.testsupport.Tokens;
import org.junit.jupiter.api.AfterAll;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The end-to-end scenarios against git http-backend (behind a CGI bridge) as the upstream. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class HttpBackendUpstreamIntegrationTests extends AbstractGitScenarios {

	static final String UPSTREAM_TOKEN = "ghs_http-backend-token";

	static Path scratch;

	static GitCli git;

	static TestRepositories repositories;

	static GitHttpBackendServer upstream;

	@DynamicPropertySource
	static void upstream(DynamicPropertyRegistry registry) throws IOException {
		scratch = Files.createTempDirectory("warden-backend-it");
		git = new GitCli(scratch.resolve("home"));
		repositories = new TestRepositories(git, Files.createDirectories(scratch.resolve("repos")), scratch);
		upstream = GitHttpBackendServer.start(repositories.root(), UPSTREAM_TOKEN);
		registry.add("warden.upstream.url", () -> upstream.baseUrl().toString());
		registry.add("warden.upstream.token", () -> UPSTREAM_TOKEN);
		registry.add("warden.auth.hmac-secret", () -> Tokens.SECRET);
	}

	@AfterAll
	static void stop() throws Exception {
		upstream.close();
	}

	@Override
	GitCli git() {
		return git;
	}

	@Override
	TestRepositories repositories() {
		return repositories;
	}

	@Override
	Path scratch() {
		return scratch;
	}

}
