package io.gitwarden.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import io.gitwarden.embedded.EmbeddedGitServer;
import io.gitwarden.testsupport.GitFixture;
import io.gitwarden.testsupport.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clients that send slowly or never finish must not take the server's threads or connections from
 * real sessions. The server runs with few worker threads and connections here, so that a handful of
 * hostile connections would be enough to starve it if refusals held threads or stalled headers held
 * connections.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "server.tomcat.threads.max=8", "server.tomcat.threads.min-spare=2",
				"server.tomcat.max-connections=40", "server.tomcat.accept-count=5", "spring.threads.virtual.enabled=false",
				"warden.limits.drain-time=2s" })
class HostileClientsIntegrationTests {

	static final String REPO = "acme/hostile";

	static GitFixture fixture;

	static EmbeddedGitServer upstream;

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void upstream(DynamicPropertyRegistry registry) throws IOException {
		fixture = GitFixture.create("warden-hostile-it");
		fixture.repositories().create(REPO, 2);
		upstream = EmbeddedGitServer.start(fixture.repositories().root(), "token", (receivePack) -> {
		});
		fixture.register(registry, () -> upstream.baseUrl().toString(), "token");
	}

	@AfterAll
	static void stop() {
		upstream.close();
	}

	Socket connect() throws IOException {
		Socket socket = new Socket("127.0.0.1", this.port);
		socket.setSoTimeout(15_000);
		return socket;
	}

	void lsRemote(String token) {
		fixture.git().run(fixture.scratch(), "ls-remote", "http://x:" + token + "@127.0.0.1:" + this.port + "/" + REPO + ".git")
			.assertSuccess();
	}

	/** Everything the server sends until it closes the connection. */
	static String readToEnd(Socket socket) throws IOException {
		InputStream in = socket.getInputStream();
		ByteArrayOutputStream all = new ByteArrayOutputStream();
		byte[] buffer = new byte[8192];
		try {
			for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
				all.write(buffer, 0, n);
			}
		}
		catch (SocketTimeoutException ex) {
			throw new AssertionError("the server kept the connection open: " + all.toString(StandardCharsets.ISO_8859_1));
		}
		return all.toString(StandardCharsets.ISO_8859_1);
	}

	@Test
	@Timeout(60)
	void unauthenticatedBodiesAreNotSwallowedByServerThreads() throws IOException {
		// Twice as many as there are worker threads, each promising a 1 MB body and sending 10 bytes.
		List<Socket> hostile = new ArrayList<>();
		try {
			for (int i = 0; i < 16; i++) {
				Socket socket = connect();
				OutputStream out = socket.getOutputStream();
				out.write(("POST /" + REPO + ".git/git-receive-pack HTTP/1.1\r\nHost: 127.0.0.1\r\n"
						+ "Content-Type: application/x-git-receive-pack-request\r\nContent-Length: 1000000\r\n\r\n"
						+ "0000000000").getBytes(StandardCharsets.US_ASCII));
				out.flush();
				hostile.add(socket);
			}
			// each is answered with the challenge and its connection closed, not swallowed
			for (Socket socket : hostile) {
				assertThat(readToEnd(socket)).startsWith("HTTP/1.1 401").contains("git-warden: authentication required");
			}
			lsRemote(Tokens.forRepo(REPO).sign());
		}
		finally {
			for (Socket socket : hostile) {
				socket.close();
			}
		}
	}

	@Test
	@Timeout(60)
	void aRefusedPushThatTricklesIsAnsweredAndClosedWithinTheDrainTime() throws Exception {
		String token = Tokens.forRepo(REPO).sign();
		String authorization = Base64.getEncoder().encodeToString(("x:" + token).getBytes(StandardCharsets.UTF_8));
		String command = "0".repeat(40) + " " + "1".repeat(40) + " refs/heads/main\0report-status";
		String section = String.format("%04x", command.length() + 4) + command + "0000";
		try (Socket socket = connect()) {
			OutputStream out = socket.getOutputStream();
			out.write(("POST /" + REPO + ".git/git-receive-pack HTTP/1.1\r\nHost: 127.0.0.1\r\n"
					+ "Authorization: Basic " + authorization + "\r\n"
					+ "Content-Type: application/x-git-receive-pack-request\r\nContent-Length: 100000000\r\n\r\n" + section
					+ "PACK").getBytes(StandardCharsets.US_ASCII));
			out.flush();
			long started = System.nanoTime();
			Thread trickle = new Thread(() -> {
				try {
					for (int i = 0; i < 100; i++) {
						out.write('x');
						out.flush();
						Thread.sleep(200);
					}
				}
				catch (IOException | InterruptedException ex) {
					// the server closed the connection: expected
				}
			});
			trickle.setDaemon(true);
			trickle.start();
			String response = readToEnd(socket);
			long seconds = (System.nanoTime() - started) / 1_000_000_000;
			assertThat(response).startsWith("HTTP/1.1 200")
				.contains("ng refs/heads/main git-warden: refs/heads/main is protected");
			// drain-time is 2 s; the connection is closed then instead of reading 100 MB at a trickle
			assertThat(seconds).isLessThan(10);
			trickle.interrupt();
		}
		lsRemote(token);
	}

	@Test
	@Timeout(60)
	void headersThatNeverEndDoNotStarveSessions() throws IOException {
		// More stalled connections than the server accepts at once: they are dropped after the header timeout
		// (10 s by default), so a real client gets in soon instead of after a minute.
		List<Socket> stalled = new ArrayList<>();
		try {
			for (int i = 0; i < 45; i++) {
				Socket socket = new Socket("127.0.0.1", this.port);
				socket.getOutputStream().write("GET /acme/hostile.git/info/refs HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
				stalled.add(socket);
			}
			long started = System.nanoTime();
			lsRemote(Tokens.forRepo(REPO).sign());
			assertThat((System.nanoTime() - started) / 1_000_000_000).isLessThan(30);
		}
		finally {
			for (Socket socket : stalled) {
				socket.close();
			}
		}
	}

}
