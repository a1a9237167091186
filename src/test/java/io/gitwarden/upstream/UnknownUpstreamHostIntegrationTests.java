package io.gitwarden.upstream;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** An upstream whose name does not resolve ({@code .invalid} never does, RFC 2606): {@code unknown host}. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class UnknownUpstreamHostIntegrationTests extends AbstractUnreachableUpstreamTests {

	static Path auditFile;

	@DynamicPropertySource
	static void upstream(DynamicPropertyRegistry registry) throws IOException {
		auditFile = Files.createTempDirectory("warden-unknown-host").resolve("audit.jsonl");
		register(registry, "https://git.example.invalid", auditFile);
	}

	@Override
	String cause() {
		return "unknown host";
	}

	@Override
	String exceptionClass() {
		return "java.net.UnknownHostException";
	}

	@Override
	String host() {
		return "git.example.invalid";
	}

	@Override
	Path auditFile() {
		return auditFile;
	}

}
