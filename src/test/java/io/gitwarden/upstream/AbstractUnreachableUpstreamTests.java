package io.gitwarden.upstream;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import io.gitwarden.testsupport.AuditLines;
import io.gitwarden.testsupport.Eventually;
import io.gitwarden.testsupport.GitCli;
import io.gitwarden.testsupport.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An upstream git-warden cannot reach, seen from both sides: the agent's git prints git-warden's reason with
 * its short cause ({@code upstream git server unavailable (<cause>)}); the operator gets one WARN line per
 * burst naming the host, the exception class and its message, never the credential; and the audit trail
 * records the reason code and message of every refused request. Subclasses choose the broken upstream.
 */
@ExtendWith(OutputCaptureExtension.class)
abstract class AbstractUnreachableUpstreamTests {

	static final String UPSTREAM_TOKEN = "ghs_unreachable-upstream-secret";

	static final JsonMapper JSON = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	/** The cause code the agent and the audit see, e.g. {@code connection refused}. */
	abstract String cause();

	/** The exception class the log names. */
	abstract String exceptionClass();

	/** The upstream host as the log names it ({@code host} or {@code host:port}). */
	abstract String host();

	abstract Path auditFile();

	/** Points git-warden at the broken upstream, with a known audit file. */
	static void register(DynamicPropertyRegistry registry, String url, Path auditFile) {
		registry.add("warden.upstream.url", () -> url);
		registry.add("warden.upstream.token", () -> UPSTREAM_TOKEN);
		registry.add("warden.auth.hmac-secret", () -> Tokens.SECRET);
		registry.add("warden.audit.file", auditFile::toString);
	}

	@Test
	void theAgentAndTheOperatorAreToldTheCause(CapturedOutput output) throws IOException {
		Path home = Files.createTempDirectory("unreachable");
		GitCli git = new GitCli(home);
		String session = "unreachable-" + UUID.randomUUID();
		String token = Tokens.forRepo("acme/app").claim("sub", session).sign();
		String url = "http://x:" + token + "@127.0.0.1:" + this.port + "/acme/app.git";
		for (int attempt = 0; attempt < 3; attempt++) {
			GitCli.Result clone = git.run(home, "clone", url, home.resolve("clone-" + attempt).toString());
			assertThat(clone.exitCode()).isNotZero();
			assertThat(clone.stderr())
				.contains("remote: git-warden: upstream git server unavailable (" + cause() + ")")
				.contains("remote: git-warden: try again later")
				.contains("The requested URL returned error: 502");
		}
		// the operator: one line for the burst, with what failed where
		List<String> warnings = output.getAll()
			.lines()
			.filter((line) -> line.contains("WARN") && line.contains("Upstream " + host() + " unreachable: " + cause()))
			.toList();
		assertThat(warnings).hasSize(1);
		assertThat(warnings.get(0)).contains("(" + exceptionClass() + ": ");
		String basic = Base64.getEncoder()
			.encodeToString(("x-access-token:" + UPSTREAM_TOKEN).getBytes(StandardCharsets.UTF_8));
		assertThat(output.getAll()).doesNotContain(UPSTREAM_TOKEN).doesNotContain(basic).doesNotContain(token);
		// the audit trail: every refused request, with the cause in the reason
		List<JsonNode> events = Eventually.await(() -> events(session), (found) -> found.size() >= 3);
		assertThat(events).hasSize(3).allSatisfy((event) -> {
			assertThat(event.get("decision").asString()).isEqualTo("failed");
			assertThat(event.get("status").asInt()).isEqualTo(502);
			assertThat(event.get("reason").get("code").asString()).isEqualTo("upstream-unavailable");
			assertThat(event.get("reason").get("message").asString())
				.isEqualTo("upstream git server unavailable (" + cause() + ")");
		});
		assertThat(Files.readString(auditFile())).doesNotContain(UPSTREAM_TOKEN).doesNotContain(token);
	}

	List<JsonNode> events(String session) throws IOException {
		List<JsonNode> events = new ArrayList<>();
		if (!Files.exists(auditFile())) {
			return events;
		}
		for (String line : AuditLines.read(auditFile())) {
			JsonNode event = JSON.readTree(line);
			if (event.has("session") && session.equals(event.get("session").asString())) {
				events.add(event);
			}
		}
		return events;
	}

}
