package io.gitwarden.proxy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import io.gitwarden.embedded.EmbeddedGitServer;
import io.gitwarden.testsupport.GitCli;
import io.gitwarden.testsupport.GitFixture;
import io.gitwarden.testsupport.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Slow clients must not starve others: 300 pushes stall mid-body (headers and a few bytes sent, then
 * nothing), and another client's clone still completes. The read timeout is set far beyond the test's
 * length, so the clone can only succeed if the stalled uploads leave capacity free, not because they
 * were timed out.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "server.tomcat.connection-timeout=10m")
class StalledUploadsIntegrationTests {

	static final String REPO = "acme/busy";

	static final int STALLED = 300;

	static GitFixture fixture;

	static EmbeddedGitServer upstream;

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void upstream(DynamicPropertyRegistry registry) throws IOException {
		fixture = GitFixture.create("warden-stalled-it");
		fixture.repositories().create(REPO, 3);
		upstream = EmbeddedGitServer.start(fixture.repositories().root(), "token", (receivePack) -> {
		});
		fixture.register(registry, () -> upstream.baseUrl().toString(), "token");
	}

	@AfterAll
	static void stop() {
		upstream.close();
	}

	@Test
	void cloneCompletesWhileHundredsOfUploadsStall() throws IOException {
		String token = Tokens.forRepo(REPO).sign();
		String authorization = Base64.getEncoder().encodeToString(("x:" + token).getBytes(StandardCharsets.UTF_8));
		List<Socket> stalled = new ArrayList<>();
		try {
			for (int i = 0; i < STALLED; i++) {
				Socket socket = new Socket("127.0.0.1", this.port);
				OutputStream out = socket.getOutputStream();
				out.write(("POST /" + REPO + ".git/git-receive-pack HTTP/1.1\r\nHost: 127.0.0.1\r\n"
						+ "Authorization: Basic " + authorization + "\r\n"
						+ "Content-Type: application/x-git-receive-pack-request\r\n" + "Content-Length: 100000\r\n\r\n"
						+ "00a0" + "0".repeat(40)).getBytes(StandardCharsets.US_ASCII));
				out.flush();
				stalled.add(socket);
			}
			Path work = fixture.scratch().resolve("clone");
			GitCli.Result clone = fixture.git().run(fixture.scratch(), "clone", "-q",
					"http://x:" + token + "@127.0.0.1:" + this.port + "/" + REPO + ".git", work.toString());
			clone.assertSuccess();
			assertThat(work.resolve("file-3.txt")).exists();
		}
		finally {
			for (Socket socket : stalled) {
				socket.close();
			}
		}
	}

}
