package io.gitwarden.upstream;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import org.junit.jupiter.api.AfterAll;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * An upstream whose certificate git-warden does not trust (WireMock's self-signed one, as an internal git
 * server with a private CA would present): {@code TLS failure}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class UpstreamTlsFailureIntegrationTests extends AbstractUnreachableUpstreamTests {

	static final WireMockServer upstream = new WireMockServer(
			WireMockConfiguration.options().bindAddress("127.0.0.1").httpDisabled(true).dynamicHttpsPort());

	static Path auditFile;

	@DynamicPropertySource
	static void upstream(DynamicPropertyRegistry registry) throws IOException {
		upstream.start();
		auditFile = Files.createTempDirectory("warden-tls").resolve("audit.jsonl");
		register(registry, "https://127.0.0.1:" + upstream.httpsPort(), auditFile);
	}

	@AfterAll
	static void stop() {
		upstream.stop();
	}

	@Override
	String cause() {
		return "TLS failure";
	}

	@Override
	String exceptionClass() {
		return "javax.net.ssl.SSLHandshakeException";
	}

	@Override
	String host() {
		return "127.0.0.1:" + upstream.httpsPort();
	}

	@Override
	Path auditFile() {
		return auditFile;
	}

}
