package io.gitwarden.upstream;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.http.Fault;
import io.gitwarden.testsupport.AuditLines;
import io.gitwarden.testsupport.Eventually;
import io.gitwarden.testsupport.GitCli;
import io.gitwarden.testsupport.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Upstream faults (WireMock standing in for a broken git server): each becomes a readable
 * {@code text/plain} reason with a proper status, upstream error bodies are never relayed, and
 * git-warden keeps serving.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class UpstreamFailureIntegrationTests {

	static final String REPO = "acme/broken";

	static final String INFO_REFS = "/acme/broken.git/info/refs";

	static WireMockServer upstream = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());

	static final JsonMapper JSON = JsonMapper.builder().build();

	static Path auditFile = createAuditFile();

	@LocalServerPort
	int port;

	@Autowired
	MeterRegistry meters;

	final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	@DynamicPropertySource
	static void upstream(DynamicPropertyRegistry registry) throws Exception {
		upstream.start();
		// WireMock's first answer can take longer than the 2s read timeout on a busy machine: not in a test
		HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + upstream.port() + "/__admin/health")).build(),
					HttpResponse.BodyHandlers.discarding());
		registry.add("warden.upstream.url", () -> "http://127.0.0.1:" + upstream.port());
		registry.add("warden.upstream.token", () -> "upstream-secret-token");
		registry.add("warden.upstream.read-timeout", () -> "2s");
		registry.add("warden.auth.hmac-secret", () -> Tokens.SECRET);
		registry.add("warden.audit.file", auditFile::toString);
	}

	@AfterAll
	static void stop() {
		upstream.stop();
	}

	@BeforeEach
	void reset() {
		upstream.resetAll();
	}

	HttpResponse<String> advertise() throws Exception {
		String basic = Base64.getEncoder()
			.encodeToString(("x:" + Tokens.forRepo(REPO).sign()).getBytes(StandardCharsets.UTF_8));
		return this.http.send(HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + this.port + INFO_REFS + "?service=git-upload-pack"))
			.header("Authorization", "Basic " + basic)
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	static String pkt(String payload) {
		return String.format("%04x", payload.getBytes(StandardCharsets.UTF_8).length + 4) + payload;
	}

	void upstreamAnswers(com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder response) {
		upstream.stubFor(get(urlPathEqualTo(INFO_REFS)).willReturn(response));
	}

	@Test
	void forwardsWithTheUpstreamCredentialAndOnlyAllowedHeaders() throws Exception {
		upstreamAnswers(aResponse().withStatus(200)
			.withHeader("Content-Type", "application/x-git-upload-pack-advertisement")
			.withHeader("Set-Cookie", "upstream=secret")
			.withBody("001e# service=git-upload-pack\n0000"));
		HttpResponse<String> response = advertise();
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("001e# service=git-upload-pack\n0000");
		assertThat(response.headers().firstValue("Set-Cookie")).isEmpty();
		String expected = "Basic " + Base64.getEncoder()
			.encodeToString("x-access-token:upstream-secret-token".getBytes(StandardCharsets.UTF_8));
		upstream.verify(getRequestedFor(urlPathEqualTo(INFO_REFS)).withQueryParam("service", equalTo("git-upload-pack"))
			.withHeader("Authorization", equalTo(expected)));
	}

	@Test
	void forwardedPushAsksForAnUncompressedReportSoItCanBeAudited() throws Exception {
		// the upstream repository is empty: git-warden learns the default branch (protected as HEAD) and
		// brings its mirror up to date from this advertisement, then inspects the pushed commit
		String capabilities = "0".repeat(40) + " capabilities^{}\0multi_ack side-band-64k ofs-delta\n";
		upstreamAnswers(aResponse().withStatus(200)
			.withHeader("Content-Type", "application/x-git-upload-pack-advertisement")
			.withBody("001e# service=git-upload-pack\n0000" + pkt(capabilities) + "0000"));
		String receivePack = "/acme/broken.git/git-receive-pack";
		upstream.stubFor(post(urlPathEqualTo(receivePack)).willReturn(aResponse().withStatus(200)
			.withHeader("Content-Type", "application/x-git-receive-pack-result")
			.withBody("000eunpack ok\n0019ok refs/heads/agent/work\n0000")));
		Path work = Files.createTempDirectory("warden-pack");
		GitCli git = new GitCli(work.resolve("home"));
		git.run(work, "init", "-q", "repo").assertSuccess();
		Files.writeString(work.resolve("repo/work.txt"), "work\n");
		git.run(work.resolve("repo"), "add", ".").assertSuccess();
		git.run(work.resolve("repo"), "commit", "-qm", "work").assertSuccess();
		String commit = git.run(work.resolve("repo"), "rev-parse", "HEAD").assertSuccess().stdout().trim();
		Process packObjects = new ProcessBuilder("git", "pack-objects", "--revs", "--stdout", "-q")
			.directory(work.resolve("repo").toFile())
			.redirectError(ProcessBuilder.Redirect.DISCARD)
			.start();
		packObjects.getOutputStream().write((commit + "\n").getBytes(StandardCharsets.UTF_8));
		packObjects.getOutputStream().close();
		byte[] pack = packObjects.getInputStream().readAllBytes();
		assertThat(packObjects.waitFor()).isZero();
		String command = "0".repeat(40) + " " + commit + " refs/heads/agent/work\0 report-status";
		java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
		body.write((pkt(command) + "0000").getBytes(StandardCharsets.UTF_8));
		body.write(pack);
		HttpResponse<String> response = this.http.send(HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + this.port + receivePack))
			.header("Authorization", "Bearer " + Tokens.forRepo(REPO).sign())
			.header("Content-Type", "application/x-git-receive-pack-request")
			.header("Accept-Encoding", "gzip")
			.POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).contains("ok refs/heads/agent/work");
		upstream.verify(postRequestedFor(urlPathEqualTo(receivePack)).withoutHeader("Accept-Encoding"));
		// a fetch, which nobody reads along, keeps the client's Accept-Encoding
		upstreamAnswers(aResponse().withStatus(200)
			.withHeader("Content-Type", "application/x-git-upload-pack-advertisement")
			.withBody("0000"));
		this.http.send(HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + this.port + INFO_REFS + "?service=git-upload-pack"))
			.header("Authorization", "Bearer " + Tokens.forRepo(REPO).sign())
			.header("Accept-Encoding", "gzip")
			.build(), HttpResponse.BodyHandlers.ofString());
		upstream.verify(getRequestedFor(urlPathEqualTo(INFO_REFS)).withHeader("Accept-Encoding", equalTo("gzip")));
	}

	@Test
	void upstreamServerErrorBecomes502WithoutRelayingItsBody() throws Exception {
		upstreamAnswers(aResponse().withStatus(500).withBody("stack trace with internal-secret"));
		HttpResponse<String> response = advertise();
		assertThat(response.statusCode()).isEqualTo(502);
		assertThat(response.body()).contains("upstream git server answered HTTP 500").doesNotContain("internal-secret");
		// what the upstream said is still measured (just after the response is complete)
		Timer timer = Eventually.await(() -> this.meters.find("warden.upstream.requests").tag("status", "500").timer(),
				(found) -> found != null);
		assertThat(timer).isNotNull();
		assertThat(timer.count()).isPositive();
	}

	@Test
	void upstreamRejectingOurCredentialBecomes502NotAChallenge() throws Exception {
		upstreamAnswers(aResponse().withStatus(401).withHeader("WWW-Authenticate", "Basic realm=\"GitHub\""));
		HttpResponse<String> response = advertise();
		assertThat(response.statusCode()).isEqualTo(502);
		assertThat(response.headers().firstValue("WWW-Authenticate")).isEmpty();
		assertThat(response.body()).contains("rejected git-warden's credentials (HTTP 401)");
	}

	@Test
	void missingUpstreamRepositoryBecomes404() throws Exception {
		upstreamAnswers(aResponse().withStatus(404));
		HttpResponse<String> response = advertise();
		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(response.body()).contains("repository acme/broken not found upstream");
	}

	@Test
	void redirectsAreNotFollowed() throws Exception {
		upstreamAnswers(aResponse().withStatus(302).withHeader("Location", "http://127.0.0.1:1/elsewhere"));
		HttpResponse<String> response = advertise();
		assertThat(response.statusCode()).isEqualTo(502);
		assertThat(response.headers().firstValue("Location")).isEmpty();
	}

	@Test
	void dumbHttpAnswerIsNotRelayed() throws Exception {
		upstreamAnswers(aResponse().withStatus(200).withHeader("Content-Type", "text/plain").withBody("abc refs/heads/main"));
		HttpResponse<String> response = advertise();
		assertThat(response.statusCode()).isEqualTo(502);
		assertThat(response.body()).doesNotContain("refs/heads/main");
	}

	@Test
	void slowUpstreamTimesOutWith502NamingTheCause(CapturedOutput output) throws Exception {
		// longer than warden.upstream.read-timeout (2s)
		upstreamAnswers(aResponse().withStatus(200).withFixedDelay(5000));
		String session = "timeout-" + UUID.randomUUID();
		for (int attempt = 0; attempt < 2; attempt++) {
			GitCli.Result clone = clone(session, "timeout-" + attempt);
			assertThat(clone.exitCode()).isNotZero();
			assertThat(clone.stderr()).contains("remote: git-warden: upstream git server unavailable (read timeout)")
				.contains("remote: git-warden: try again later")
				.contains("The requested URL returned error: 502");
		}
		List<String> warnings = output.getAll()
			.lines()
			.filter((line) -> line.contains("WARN") && line.contains("unreachable: read timeout"))
			.toList();
		assertThat(warnings).hasSize(1);
		assertThat(warnings.get(0)).contains("Upstream 127.0.0.1:" + upstream.port() + " unreachable: read timeout")
			.contains("(java.net.SocketTimeoutException: ");
		assertThat(output.getAll()).doesNotContain("upstream-secret-token");
		List<JsonNode> events = Eventually.await(() -> events(session), (found) -> found.size() >= 2);
		assertThat(events).hasSize(2).allSatisfy((event) -> {
			assertThat(event.get("decision").asString()).isEqualTo("failed");
			assertThat(event.get("reason").get("code").asString()).isEqualTo("upstream-unavailable");
			assertThat(event.get("reason").get("message").asString())
				.isEqualTo("upstream git server unavailable (read timeout)");
		});
	}

	@Test
	void anHtmlPageIsNotAGitServer() throws Exception {
		upstreamAnswers(aResponse().withStatus(200)
			.withHeader("Content-Type", "text/html")
			.withBody("<html><body>Sign in to the corporate proxy</body></html>"));
		String session = "html-" + UUID.randomUUID();
		GitCli.Result clone = clone(session, "html");
		assertThat(clone.exitCode()).isNotZero();
		assertThat(clone.stderr())
			.contains("remote: git-warden: the upstream is not a git server (it answered HTTP 200 with text/html)")
			.contains("remote: git-warden: an operator must check warden.upstream.url")
			.contains("The requested URL returned error: 502")
			.doesNotContain("Sign in");
		JsonNode event = Eventually.await(() -> events(session), (found) -> !found.isEmpty()).get(0);
		assertThat(event.get("decision").asString()).isEqualTo("failed");
		assertThat(event.get("upstreamStatus").asInt()).isEqualTo(200);
		assertThat(event.get("reason").get("code").asString()).isEqualTo("upstream-not-git");
		assertThat(event.get("reason").get("message").asString())
			.isEqualTo("the upstream is not a git server (it answered HTTP 200 with text/html)");
	}

	GitCli.Result clone(String session, String directory) throws IOException {
		Path home = Files.createTempDirectory("upstream-failure");
		String url = "http://x:" + Tokens.forRepo(REPO).claim("sub", session).sign() + "@127.0.0.1:" + this.port + "/"
				+ REPO + ".git";
		return new GitCli(home).run(home, "clone", url, home.resolve(directory).toString());
	}

	static List<JsonNode> events(String session) throws IOException {
		List<JsonNode> events = new ArrayList<>();
		if (!Files.exists(auditFile)) {
			return events;
		}
		for (String line : AuditLines.read(auditFile)) {
			JsonNode event = JSON.readTree(line);
			if (event.has("session") && session.equals(event.get("session").asString())) {
				events.add(event);
			}
		}
		return events;
	}

	static Path createAuditFile() {
		try {
			return Files.createTempDirectory("warden-upstream-failure").resolve("audit.jsonl");
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	@Test
	void connectionResetBecomes502AndServiceStaysUp() throws Exception {
		upstreamAnswers(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
		assertThat(advertise().statusCode()).isEqualTo(502);
		upstreamAnswers(aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK)
			.withHeader("Content-Type", "application/x-git-upload-pack-advertisement"));
		advertiseIgnoringBrokenBody();
		upstream.resetAll();
		upstreamAnswers(aResponse().withStatus(200)
			.withHeader("Content-Type", "application/x-git-upload-pack-advertisement")
			.withBody("0000"));
		assertThat(advertise().statusCode()).isEqualTo(200);
	}

	private void advertiseIgnoringBrokenBody() {
		try {
			advertise();
		}
		catch (Exception ex) {
			// the response started, then the upstream broke: the client sees a cut-off body
		}
	}

}
