package io.gitwarden.audit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.gitwarden.testsupport.AuditLines;
import io.gitwarden.testsupport.Eventually;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Recording through the running application with what hostile clients send: header bytes that are not
 * ASCII reach the audit trail as written, and the line still verifies.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "warden.upstream.url=http://127.0.0.1:9/", "warden.upstream.token=ghs_unused",
				"warden.auth.hmac-secret=integration-test-secret-0123456789-abcdefghijklmnop" })
class AuditRecordingIntegrationTests {

	static final JsonMapper JSON = JsonMapper.builder().build();

	static Path auditFile;

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		auditFile = Files.createTempDirectory("warden-recording").resolve("audit.jsonl");
		registry.add("warden.audit.file", auditFile::toString);
	}

	@Test
	void aUserAgentWithC1ControlBytesIsRecorded() throws Exception {
		String marker = "probe-" + UUID.randomUUID();
		byte[] userAgent = concat(marker.getBytes(StandardCharsets.US_ASCII),
				new byte[] { (byte) 0x80, (byte) 0x85, (byte) 0x9b, (byte) 0x9f, (byte) 0xe9, '"', '\\' });
		String status = rawRequest("GET /acme/widgets.git/info/refs?service=git-upload-pack HTTP/1.1\r\n",
				"User-Agent: ".getBytes(StandardCharsets.US_ASCII), userAgent);
		assertThat(status).startsWith("HTTP/1.1 401");
		List<JsonNode> events = Eventually.await(() -> events(marker), (found) -> !found.isEmpty());
		assertThat(events).hasSize(1);
		JsonNode event = events.get(0);
		// Tomcat decodes header bytes as ISO-8859-1: each byte is the character of the same code
		assertThat(event.get("userAgent").asString())
			.isEqualTo(marker + "\u0080\u0085\u009b\u009f\u00e9\"\\");
		// git's normal first request without credentials: a challenge, not a refusal
		assertThat(event.get("decision").asString()).isEqualTo("challenged");
		// written escaped, so the line cannot act on a terminal that prints it
		String raw = Files.readString(auditFile, StandardCharsets.UTF_8);
		assertThat(raw).contains(marker + "\\u0080\\u0085\\u009b\\u009f\u00e9").doesNotContain("\u0085");
		AuditVerifier.Result verified = AuditVerifier.verify(List.of(auditFile));
		assertThat(verified.ok()).as(verified.toString()).isTrue();
	}

	private String rawRequest(String requestLine, byte[]... header) throws IOException {
		try (Socket socket = new Socket("127.0.0.1", this.port)) {
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			out.write(requestLine.getBytes(StandardCharsets.US_ASCII));
			out.write(("Host: 127.0.0.1:" + this.port + "\r\n").getBytes(StandardCharsets.US_ASCII));
			for (byte[] part : header) {
				out.write(part);
			}
			out.write("\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			ByteArrayOutputStream line = new ByteArrayOutputStream();
			for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
				line.write(b);
			}
			in.transferTo(OutputStream.nullOutputStream());
			return line.toString(StandardCharsets.ISO_8859_1).trim();
		}
	}

	private static List<JsonNode> events(String userAgentPrefix) throws IOException {
		List<JsonNode> found = new ArrayList<>();
		if (!Files.exists(auditFile)) {
			return found;
		}
		for (String line : AuditLines.read(auditFile)) {
			JsonNode event = JSON.readTree(line);
			JsonNode userAgent = event.get("userAgent");
			if (userAgent != null && userAgent.asString().startsWith(userAgentPrefix)) {
				found.add(event);
			}
		}
		return found;
	}

	private static byte[] concat(byte[] a, byte[] b) {
		byte[] both = new byte[a.length + b.length];
		System.arraycopy(a, 0, both, 0, a.length);
		System.arraycopy(b, 0, both, a.length, b.length);
		return both;
	}

}
