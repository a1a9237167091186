package io.gitwarden.proxy;

import java.io.IOException;

import io.gitwarden.testsupport.GitFixture;
import io.gitwarden.testsupport.GitHttpBackendServer;
import org.junit.jupiter.api.AfterAll;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * The end-to-end scenarios against git http-backend (behind a CGI bridge) as the upstream, with the fetch
 * cache off: every request of the client reaches the upstream as it was sent, which the protocol
 * assertions check. The same scenarios run with the cache on against JGit
 * ({@link JGitUpstreamIntegrationTests}); the cache has its own suite ({@code FetchCacheIntegrationTests}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestPropertySource(properties = "warden.cache.enabled=false")
class HttpBackendUpstreamIntegrationTests extends AbstractGitScenarios {

	static GitFixture fixture;

	static GitHttpBackendServer upstream;

	@DynamicPropertySource
	static void upstream(DynamicPropertyRegistry registry) throws IOException {
		fixture = GitFixture.create("warden-backend-it");
		upstream = GitHttpBackendServer.start(fixture.repositories().root(), "ghs_http-backend-token");
		fixture.register(registry, () -> upstream.baseUrl().toString(), "ghs_http-backend-token");
	}

	@AfterAll
	static void stop() {
		upstream.close();
	}

	@Override
	GitFixture fixture() {
		return fixture;
	}

	@Override
	java.util.List<GitHttpBackendServer.Seen> upstreamSeen() {
		return upstream.seen();
	}

}
