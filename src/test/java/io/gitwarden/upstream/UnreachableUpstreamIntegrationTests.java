package io.gitwarden.upstream;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** An upstream that refuses connections (a closed port): {@code connection refused}. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class UnreachableUpstreamIntegrationTests extends AbstractUnreachableUpstreamTests {

	static int closedPort;

	static Path auditFile;

	@DynamicPropertySource
	static void upstream(DynamicPropertyRegistry registry) throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			closedPort = socket.getLocalPort();
		}
		auditFile = Files.createTempDirectory("warden-refused").resolve("audit.jsonl");
		register(registry, "http://127.0.0.1:" + closedPort, auditFile);
	}

	@Override
	String cause() {
		return "connection refused";
	}

	@Override
	String exceptionClass() {
		return "org.apache.hc.client5.http.HttpHostConnectException";
	}

	@Override
	String host() {
		return "127.0.0.1:" + closedPort;
	}

	@Override
	Path auditFile() {
		return auditFile;
	}

}
