package io.gitwarden.upstream;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import io.gitwarden.testsupport.GitCli;
import io.gitwarden.testsupport.Tokens;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/** An upstream that refuses connections: git prints git-warden's reason, and git-warden stays up. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class UnreachableUpstreamIntegrationTests {

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void upstream(DynamicPropertyRegistry registry) throws IOException {
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0)) {
			closedPort = socket.getLocalPort();
		}
		registry.add("warden.upstream.url", () -> "http://127.0.0.1:" + closedPort);
		registry.add("warden.upstream.token", () -> "upstream-token");
		registry.add("warden.auth.hmac-secret", () -> Tokens.SECRET);
	}

	@Test
	void cloneFailsWithAReadableReasonAndTheServiceStaysUp() throws IOException {
		Path home = Files.createTempDirectory("unreachable");
		GitCli git = new GitCli(home);
		String url = "http://x:" + Tokens.forRepo("acme/app").sign() + "@127.0.0.1:" + this.port + "/acme/app.git";
		for (int attempt = 0; attempt < 3; attempt++) {
			GitCli.Result clone = git.run(home, "clone", url, home.resolve("clone-" + attempt).toString());
			assertThat(clone.exitCode()).isNotZero();
			assertThat(clone.stderr()).contains("remote: git-warden: upstream git server unavailable")
				.contains("The requested URL returned error: 502");
		}
	}

}
