package io.gitwarden.web;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

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
 * A git client (or an agent's HTTP library) keeps one connection for its many small requests: the server
 * must not close it after Tomcat's default of 100 requests, which made every 101st request pay a new
 * connection (issue 19).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class KeepAliveIntegrationTests {

	static final String REPO = "acme/keepalive";

	static GitFixture fixture;

	static EmbeddedGitServer upstream;

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void upstream(DynamicPropertyRegistry registry) throws IOException {
		fixture = GitFixture.create("warden-keepalive-it");
		fixture.repositories().create(REPO, 1);
		upstream = EmbeddedGitServer.start(fixture.repositories().root(), "token", (receivePack) -> {
		});
		fixture.register(registry, () -> upstream.baseUrl().toString(), "token");
	}

	@AfterAll
	static void stop() {
		upstream.close();
	}

	@Test
	@Timeout(120)
	void aKeepAliveClientKeepsItsConnectionForMoreThanAHundredRequests() throws IOException {
		String authorization = "Basic " + Base64.getEncoder()
			.encodeToString(("x:" + Tokens.forRepo(REPO).sign()).getBytes(StandardCharsets.UTF_8));
		String challenge = "GET /" + REPO + ".git/info/refs?service=git-upload-pack HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
		String advertisement = "GET /" + REPO + ".git/info/refs?service=git-upload-pack HTTP/1.1\r\nHost: 127.0.0.1\r\n"
				+ "Authorization: " + authorization + "\r\n\r\n";
		try (Socket socket = new Socket("127.0.0.1", this.port)) {
			socket.setSoTimeout(15_000);
			socket.setTcpNoDelay(true);
			OutputStream out = socket.getOutputStream();
			InputStream in = new BufferedInputStream(socket.getInputStream());
			for (int i = 0; i < 250; i++) {
				boolean authenticated = (i % 5 == 4);
				out.write((authenticated ? advertisement : challenge).getBytes(StandardCharsets.US_ASCII));
				out.flush();
				Answer answer = Answer.read(in);
				assertThat(answer.status).as("request %d", i + 1).isEqualTo(authenticated ? 200 : 401);
				assertThat(answer.headers.getOrDefault("connection", "")).as("request %d", i + 1)
					.doesNotContainIgnoringCase("close");
				if (authenticated) {
					assertThat(answer.body).contains("# service=git-upload-pack");
				}
			}
		}
	}

	/** Just enough HTTP/1.1 to read one answer off a kept-alive connection (Content-Length or chunked). */
	record Answer(int status, Map<String, String> headers, String body) {

		static Answer read(InputStream in) throws IOException {
			String statusLine = line(in);
			int status = Integer.parseInt(statusLine.split(" ")[1]);
			Map<String, String> headers = new HashMap<>();
			for (String line = line(in); !line.isEmpty(); line = line(in)) {
				int colon = line.indexOf(':');
				headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
			}
			ByteArrayOutputStream body = new ByteArrayOutputStream();
			if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
				for (int size = Integer.parseInt(line(in).split(";")[0].trim(), 16); size > 0; size = Integer
					.parseInt(line(in).split(";")[0].trim(), 16)) {
					body.write(in.readNBytes(size));
					line(in);
				}
				line(in);
			}
			else if (headers.containsKey("content-length")) {
				body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
			}
			return new Answer(status, headers, body.toString(StandardCharsets.ISO_8859_1));
		}

		private static String line(InputStream in) throws IOException {
			StringBuilder line = new StringBuilder();
			for (int c = in.read(); c != '\n'; c = in.read()) {
				if (c < 0) {
					throw new IOException("the server closed the connection");
				}
				if (c != '\r') {
					line.append((char) c);
				}
			}
			return line.toString();
		}

	}

}
