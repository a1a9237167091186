package io.gitwarden.proxy;

import java.io.IOException;

import io.gitwarden.testsupport.GitHttpBackendServer;
import org.junit.jupiter.api.AfterAll;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The end-to-end scenarios against git http-backend (behind a CGI bridge) as the upstream. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class HttpBackendUpstreamIntegrationTests extends AbstractGitScenarios {

	static Fixture fixture;

	static GitHttpBackendServer upstream;

	@DynamicPropertySource
	static void upstream(DynamicPropertyRegistry registry) throws IOException {
		fixture = Fixture.create("warden-backend-it");
		upstream = GitHttpBackendServer.start(fixture.repositories().root(), "ghs_http-backend-token");
		fixture.register(registry, () -> upstream.baseUrl().toString(), "ghs_http-backend-token");
	}

	@AfterAll
	static void stop() {
		upstream.close();
	}

	@Override
	Fixture fixture() {
		return fixture;
	}

	@Override
	java.util.List<GitHttpBackendServer.Seen> upstreamSeen() {
		return upstream.seen();
	}

}
