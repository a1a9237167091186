package io.gitwarden.proxy;

import java.io.IOException;

import io.gitwarden.embedded.EmbeddedGitServer;
import io.gitwarden.testsupport.GitFixture;
import org.junit.jupiter.api.AfterAll;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The end-to-end scenarios against JGit's GitServlet as the upstream, with the fetch cache on (the
 * default): clones and fetches are served from the mirror.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class JGitUpstreamIntegrationTests extends AbstractGitScenarios {

	static GitFixture fixture;

	static EmbeddedGitServer upstream;

	@DynamicPropertySource
	static void upstream(DynamicPropertyRegistry registry) throws IOException {
		fixture = GitFixture.create("warden-jgit-it");
		upstream = EmbeddedGitServer.start(fixture.repositories().root(), "ghs_jgit-upstream-token",
				(receivePack) -> receivePack.setAllowPushOptions(true));
		fixture.register(registry, () -> upstream.baseUrl().toString(), "ghs_jgit-upstream-token");
	}

	@AfterAll
	static void stop() {
		upstream.close();
	}

	@Override
	GitFixture fixture() {
		return fixture;
	}

}
