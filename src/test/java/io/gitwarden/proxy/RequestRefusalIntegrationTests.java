package io.gitwarden.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import io.gitwarden.testsupport.GitCli;
import io.gitwarden.testsupport.GitHttpBackendServer;
import io.gitwarden.testsupport.TestRepositories;
import io.gitwarden.testsupport.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deny by default, checked at the HTTP level: bad tokens, scopes, path tricks and malformed pushes are
 * refused with a readable reason, and the upstream (git http-backend, which counts requests) is never
 * contacted for any of them.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RequestRefusalIntegrationTests {

	static final String REPO = "acme/widgets";

	static final String ZERO = "0".repeat(40);

	static final String ONE = "1".repeat(40);

	static GitHttpBackendServer upstream;

	static TestRepositories repositories;

	@LocalServerPort
	int port;

	final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	int upstreamRequestsBefore;

	@DynamicPropertySource
	static void upstream(DynamicPropertyRegistry registry) throws IOException {
		Path scratch = Files.createTempDirectory("warden-refusal-it");
		GitCli git = new GitCli(scratch.resolve("home"));
		repositories = new TestRepositories(git, Files.createDirectories(scratch.resolve("repos")), scratch);
		repositories.create(REPO, 1);
		upstream = GitHttpBackendServer.start(repositories.root(), "upstream-token");
		registry.add("warden.upstream.url", () -> upstream.baseUrl().toString());
		registry.add("warden.upstream.token", () -> "upstream-token");
		registry.add("warden.auth.hmac-secret", () -> Tokens.SECRET);
		registry.add("warden.policy.max-commands", () -> "50");
	}

	@AfterAll
	static void stop() throws Exception {
		upstream.close();
	}

	@BeforeEach
	void countUpstream() {
		this.upstreamRequestsBefore = upstream.requestCount();
	}

	void assertUpstreamUntouched() {
		assertThat(upstream.requestCount()).as("requests forwarded upstream").isEqualTo(this.upstreamRequestsBefore);
	}

	static String basic(String token) {
		return "Basic " + Base64.getEncoder().encodeToString(("x:" + token).getBytes(StandardCharsets.UTF_8));
	}

	URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.port + path);
	}

	HttpResponse<String> advertise(String path, String authorization) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).GET();
		if (authorization != null) {
			request.header("Authorization", authorization);
		}
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	HttpResponse<String> receivePack(String body) throws Exception {
		return this.http.send(HttpRequest.newBuilder(uri("/" + REPO + ".git/git-receive-pack"))
			.header("Authorization", basic(Tokens.forRepo(REPO).sign()))
			.header("Content-Type", "application/x-git-receive-pack-request")
			.POST(HttpRequest.BodyPublishers.ofByteArray(body.getBytes(StandardCharsets.ISO_8859_1)))
			.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.ISO_8859_1));
	}

	static String pkt(String payload) {
		return String.format("%04x", payload.length() + 4) + payload;
	}

	static String rsaSigned() {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
			generator.initialize(2048);
			return Tokens.forRepo(REPO).builder().signWith(generator.generateKeyPair().getPrivate()).compact();
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	static Stream<Arguments> badTokens() {
		Instant now = Instant.now();
		return Stream.of(Arguments.of("garbage", "not-a-jwt", "session token rejected: not a valid signed JWT"),
				Arguments.of("other secret",
						Tokens.withSecret("another-secret-that-is-long-enough-0123456789", REPO).sign(),
						"signature does not verify"),
				Arguments.of("alg none", Tokens.forRepo(REPO).unsigned(), "unsigned token or algorithm not accepted"),
				Arguments.of("RS256 with an HMAC key", rsaSigned(), "unsigned token or algorithm not accepted"),
				Arguments.of("expired",
						Tokens.forRepo(REPO).issuedAt(now.minusSeconds(3600)).ttl(Duration.ofMinutes(10)).sign(),
						"session token expired"),
				Arguments.of("not before in the future",
						Tokens.forRepo(REPO).claim("nbf", now.plusSeconds(600).getEpochSecond()).sign(),
						"session token is not valid yet"),
				Arguments.of("issued in the future", Tokens.forRepo(REPO).issuedAt(now.plusSeconds(600)).sign(),
						"session token is not valid yet"),
				Arguments.of("lifetime too long", Tokens.forRepo(REPO).ttl(Duration.ofDays(3)).sign(), "lifetime exceeds"),
				Arguments.of("no exp", Tokens.forRepo(REPO).ttl(null).sign(), "claim 'exp' is required"),
				Arguments.of("wrong audience", Tokens.forRepo(REPO).audience("someone-else").sign(),
						"audience not accepted"),
				Arguments.of("no audience", Tokens.forRepo(REPO).audience(null).sign(), "audience not accepted"),
				Arguments.of("no subject", Tokens.forRepo(REPO).claim("sub", null).sign(), "claim 'sub'"),
				Arguments.of("no repo", Tokens.forRepo(REPO).claim("repo", null).sign(), "claim 'repo'"),
				Arguments.of("bad repo", Tokens.forRepo("../etc").sign(), "claim 'repo'"),
				Arguments.of("repo not a string", Tokens.forRepo(REPO).claim("repo", List.of(REPO)).sign(),
						"claim 'repo'"),
				Arguments.of("bad branch", Tokens.forRepo(REPO).claim("branch", "a..b").sign(), "claim 'branch'"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("badTokens")
	void badTokensGet401WithTheReasonAndNothingIsForwarded(String name, String token, String reason) throws Exception {
		HttpResponse<String> response = advertise("/" + REPO + ".git/info/refs?service=git-upload-pack", basic(token));
		assertThat(response.statusCode()).isEqualTo(401);
		assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"git-warden\"");
		assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
		assertThat(response.body()).startsWith("git-warden: ").contains(reason).doesNotContain(token);
		assertUpstreamUntouched();
	}

	@Test
	void missingCredentialsGet401Challenge() throws Exception {
		HttpResponse<String> response = advertise("/" + REPO + ".git/info/refs?service=git-upload-pack", null);
		assertThat(response.statusCode()).isEqualTo(401);
		assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"git-warden\"");
		assertThat(response.body()).contains("authentication required");
		assertUpstreamUntouched();
	}

	@Test
	void tokenIsAcceptedAsBearerAndAsBasicUsername() throws Exception {
		String token = Tokens.forRepo(REPO).sign();
		String path = "/" + REPO + ".git/info/refs?service=git-upload-pack";
		HttpResponse<String> bearer = advertise(path, "Bearer " + token);
		HttpResponse<String> username = advertise(path,
				"Basic " + Base64.getEncoder().encodeToString((token + ":").getBytes(StandardCharsets.UTF_8)));
		assertThat(bearer.statusCode()).isEqualTo(200);
		assertThat(bearer.headers().firstValue("Content-Type")).hasValue("application/x-git-upload-pack-advertisement");
		assertThat(bearer.body()).startsWith("001e# service=git-upload-pack\n");
		assertThat(username.statusCode()).isEqualTo(200);
		assertThat(upstream.requestCount()).isEqualTo(this.upstreamRequestsBefore + 2);
	}

	static Stream<Arguments> scopes() {
		return Stream.of(Arguments.of("fetch", "agent/work", "git-upload-pack", 200, null),
				Arguments.of("fetch", "agent/work", "git-receive-pack", 403, "lacks the 'push' scope"),
				Arguments.of("push", "agent/work", "git-upload-pack", 403, "lacks the 'fetch' scope"),
				Arguments.of("push", "agent/work", "git-receive-pack", 200, null),
				Arguments.of("fetch push", null, "git-receive-pack", 403, "names no branch"),
				Arguments.of("fetch push", null, "git-upload-pack", 200, null),
				Arguments.of("", "agent/work", "git-upload-pack", 403, "lacks the 'fetch' scope"),
				Arguments.of("admin write", "agent/work", "git-receive-pack", 403, "lacks the 'push' scope"));
	}

	@ParameterizedTest(name = "scope \"{0}\" branch {1} {2} -> {3}")
	@MethodSource("scopes")
	void scopeMatrix(String scope, String branch, String service, int status, String reason) throws Exception {
		String token = Tokens.forRepo(REPO).claim("scope", scope).claim("branch", branch).sign();
		HttpResponse<String> response = advertise("/" + REPO + ".git/info/refs?service=" + service, basic(token));
		assertThat(response.statusCode()).isEqualTo(status);
		if (reason != null) {
			assertThat(response.body()).contains(reason);
			assertUpstreamUntouched();
		}
		else {
			assertThat(response.headers().firstValue("Content-Type"))
				.hasValue("application/x-" + service + "-advertisement");
		}
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "/acme/other.git/info/refs?service=git-upload-pack",
			"/acme/widgets.git/info/refs?service=git-upload-archive", "/acme/widgets.git/info/refs",
			"/acme/widgets.git/info/refs?service=git-upload-pack&x=1", "/acme/widgets.git/HEAD",
			"/acme/widgets.git/objects/info/packs", "/acme/widgets.git/git-upload-pack",
			"/acme/widgets.git/../other/info/refs?service=git-upload-pack",
			"/acme/widgets.git/%2e%2e/info/refs?service=git-upload-pack",
			"/acme%2Fwidgets.git/info/refs?service=git-upload-pack",
			"/acme//widgets.git/info/refs?service=git-upload-pack",
			"/acme/widgets.git/info/refs/?service=git-upload-pack",
			"/x/acme/widgets.git/info/refs?service=git-upload-pack", "/acme/..git/info/refs?service=git-upload-pack",
			"/widgets.git/info/refs?service=git-upload-pack",
			"/acme/widgets.git/info/refs?service=git-upload-pack%00", "/" })
	void pathTricksAreRefused(String path) throws Exception {
		HttpResponse<String> response = advertise(path, basic(Tokens.forRepo(REPO).sign()));
		assertThat(response.statusCode()).isBetween(400, 404);
		assertUpstreamUntouched();
	}

	@Test
	void otherMethodsAreRefused() throws Exception {
		String token = basic(Tokens.forRepo(REPO).sign());
		for (String method : new String[] { "PUT", "DELETE", "PROPFIND", "MKCOL" }) {
			HttpResponse<String> response = this.http.send(HttpRequest.newBuilder(uri("/" + REPO + ".git/git-receive-pack"))
				.header("Authorization", token)
				.method(method, HttpRequest.BodyPublishers.noBody())
				.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(response.statusCode()).as(method).isBetween(400, 405);
		}
		assertUpstreamUntouched();
	}

	static Stream<Arguments> malformedPushes() {
		String caps = "\0 report-status side-band-64k";
		String good = ZERO + " " + ONE + " refs/heads/agent/work";
		return Stream.of(Arguments.of("not pkt-line", "zzzz", "invalid pkt-line length header"),
				Arguments.of("reserved length", "0003", "invalid pkt-line length header"),
				Arguments.of("truncated packet", "0050" + ZERO, "ended inside the command section"),
				Arguments.of("no flush", pkt(good + caps), "ended inside the command section"),
				Arguments.of("empty body", "", "ended inside the command section"),
				Arguments.of("short command", pkt("abc" + caps) + "0000", "is not '<old-id> <new-id> <ref>'"),
				Arguments.of("bad old id", pkt("z".repeat(40) + " " + ONE + " refs/heads/agent/work" + caps) + "0000",
						"old object id is not 40 hex digits"),
				Arguments.of("bad ref name", pkt(ZERO + " " + ONE + " refs/heads/a..b" + caps) + "0000",
						"invalid ref name"),
				Arguments.of("two zero ids", pkt(ZERO + " " + ZERO + " refs/heads/agent/work" + caps) + "0000",
						"two zero ids"),
				Arguments.of("delimiter", pkt(good + caps) + "0001" + "0000", "unexpected delimiter"),
				Arguments.of("empty packet", pkt(good + caps) + "0004" + "0000", "empty packet"),
				Arguments.of("duplicate ref", pkt(good + caps) + pkt(good) + "0000", "updated twice"),
				Arguments.of("control character", pkt(ZERO + " " + ONE + " refs/heads/a\u0001b" + caps) + "0000",
						"invalid ref name"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("malformedPushes")
	void malformedPushesAreRefusedAndNotForwarded(String name, String body, String reason) throws Exception {
		HttpResponse<String> response = receivePack(body);
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("malformed request").contains(reason);
		assertUpstreamUntouched();
	}

	@Test
	void tooManyCommandsGetAGitReadableError() throws Exception {
		StringBuilder body = new StringBuilder(pkt(ZERO + " " + ONE + " refs/heads/b0\0 report-status side-band-64k"));
		for (int i = 1; i <= 60; i++) {
			body.append(pkt(ZERO + " " + ONE + " refs/heads/b" + i));
		}
		body.append("0000");
		HttpResponse<String> response = receivePack(body.toString());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/x-git-receive-pack-result");
		// side-band channel 3: git prints "remote: git-warden: push updates more than 50 refs"
		assertThat(response.body()).contains("\u0003git-warden: push updates more than 50 refs");
		assertUpstreamUntouched();
	}

	@Test
	void unsupportedFeaturesGetAGitReadableError() throws Exception {
		HttpResponse<String> sha256 = receivePack(
				pkt(ZERO + " " + ONE + " refs/heads/agent/work\0 report-status object-format=sha256") + "0000");
		assertThat(sha256.statusCode()).isEqualTo(200);
		assertThat(sha256.body()).contains("ERR git-warden: only SHA-1 repositories are supported");
		HttpResponse<String> cert = receivePack(pkt("push-cert\0 report-status") + pkt("certificate version 0.1\n") + "0000");
		assertThat(cert.body()).contains("ERR git-warden: signed pushes (push certificates) are not supported");
		assertUpstreamUntouched();
	}

	@Test
	void refusedPushGetsPerRefReportInSideBand() throws Exception {
		HttpResponse<String> response = receivePack(
				pkt(ZERO + " " + ONE + " refs/heads/main\0 report-status side-band-64k") + "0000" + "PACK...");
		assertThat(response.statusCode()).isEqualTo(200);
		// channel 1 carries the report: "unpack ok" then "ng refs/heads/main <reason>"
		assertThat(response.body()).contains("\u0001000eunpack ok\n")
			.contains("ng refs/heads/main git-warden: refs/heads/main is protected; this session may push only to refs/heads/agent/work\n")
			.endsWith("0000");
		assertUpstreamUntouched();
	}

	@Test
	void refusedPushWithoutSideBandGetsPlainReport() throws Exception {
		HttpResponse<String> response = receivePack(pkt(ZERO + " " + ONE + " refs/tags/v1\0 report-status") + "0000");
		assertThat(response.body()).isEqualTo(pkt("unpack ok\n") + pkt(
				"ng refs/tags/v1 git-warden: this session may not push this tag; it may push only to refs/heads/agent/work\n")
				+ "0000");
		assertUpstreamUntouched();
	}

	@Test
	void wrongContentTypeIsRefused() throws Exception {
		HttpResponse<String> response = this.http.send(HttpRequest.newBuilder(uri("/" + REPO + ".git/git-upload-pack"))
			.header("Authorization", basic(Tokens.forRepo(REPO).sign()))
			.header("Content-Type", "text/plain")
			.POST(HttpRequest.BodyPublishers.ofString("0000"))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(415);
		assertUpstreamUntouched();
	}

	@Test
	void probeIsForwardedAndAnswered() throws Exception {
		HttpResponse<String> response = receivePack("0000");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(upstream.requestCount()).isEqualTo(this.upstreamRequestsBefore + 1);
	}

	@Test
	void gzipPushBodyIsDecodedForPolicing() throws Exception {
		ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
		try (GZIPOutputStream gzip = new GZIPOutputStream(gzipped)) {
			gzip.write((pkt(ZERO + " " + ONE + " refs/heads/main\0 report-status") + "0000")
				.getBytes(StandardCharsets.US_ASCII));
		}
		HttpResponse<String> response = this.http.send(HttpRequest.newBuilder(uri("/" + REPO + ".git/git-receive-pack"))
			.header("Authorization", basic(Tokens.forRepo(REPO).sign()))
			.header("Content-Type", "application/x-git-receive-pack-request")
			.header("Content-Encoding", "gzip")
			.POST(HttpRequest.BodyPublishers.ofByteArray(gzipped.toByteArray()))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.body()).contains("ng refs/heads/main git-warden: refs/heads/main is protected; this session may push only to");
		assertUpstreamUntouched();
	}

	@Test
	void refusalsNeverEchoTheToken() throws Exception {
		String token = Tokens.forRepo("acme/other").sign();
		HttpResponse<String> response = advertise("/" + REPO + ".git/info/refs?service=git-upload-pack", basic(token));
		assertThat(response.statusCode()).isEqualTo(403);
		assertThat(response.body()).contains("this session may not access acme/widgets").doesNotContain(token);
		assertThat(response.headers().map().toString()).doesNotContain(token);
		assertUpstreamUntouched();
	}

	HttpResponse<String> encoded(String service, String encoding, byte[] body) throws Exception {
		return this.http.send(HttpRequest.newBuilder(uri("/" + REPO + ".git/" + service))
			.header("Authorization", basic(Tokens.forRepo(REPO).sign()))
			.header("Content-Type", "application/x-" + service + "-request")
			.header("Content-Encoding", encoding)
			.POST(HttpRequest.BodyPublishers.ofByteArray(body))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	@ParameterizedTest
	@ValueSource(strings = { "git-upload-pack", "git-receive-pack" })
	void aBodyLabelledGzipThatIsNotGzipIsRefusedWithTheReason(String service) throws Exception {
		HttpResponse<String> response = encoded(service, "gzip",
				(pkt("command=ls-refs") + "0000").getBytes(StandardCharsets.US_ASCII));
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("request body could not be decoded: the body is labelled gzip but is not valid gzip");
		assertUpstreamUntouched();
	}

	@ParameterizedTest
	@ValueSource(strings = { "git-upload-pack", "git-receive-pack" })
	void aGzipBombIsStoppedEarlyAndNeverForwarded(String service) throws Exception {
		// an allowed command, then 1 GiB of zeros as the "pack": about 1 MB on the wire
		ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
		try (GZIPOutputStream gzip = new GZIPOutputStream(gzipped, 64 * 1024)) {
			gzip.write((pkt(ZERO + " " + ONE + " refs/heads/agent/work\0report-status") + "0000")
				.getBytes(StandardCharsets.US_ASCII));
			byte[] zeros = new byte[1024 * 1024];
			for (int i = 0; i < 1024; i++) {
				gzip.write(zeros);
			}
		}
		HttpResponse<String> response = encoded(service, "gzip", gzipped.toByteArray());
		// stopped once the ratio was passed (after 1 MiB of output), not after inflating the whole GiB
		assertThat(response.statusCode()).isEqualTo(413);
		assertThat(response.body()).contains("gzip body inflates more than 100 times");
		assertUpstreamUntouched();
	}

	@Test
	void anUnknownContentEncodingIsRefused() throws Exception {
		HttpResponse<String> response = encoded("git-upload-pack", "br", new byte[] { 1, 2, 3 });
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("unsupported Content-Encoding");
		assertUpstreamUntouched();
	}

	@Test
	void aRefNameThatIsNotUtf8IsRefusedNotForwarded() throws Exception {
		// the session may push refs/heads/agent/work; the Latin-1 bytes of another name must not slip through
		byte[] name = "refs/heads/agent/w\u00f6rk".getBytes(StandardCharsets.ISO_8859_1);
		String head = ZERO + " " + ONE + " ";
		String caps = "\0report-status";
		byte[] payload = new byte[head.length() + name.length + caps.length()];
		System.arraycopy(head.getBytes(StandardCharsets.US_ASCII), 0, payload, 0, head.length());
		System.arraycopy(name, 0, payload, head.length(), name.length);
		System.arraycopy(caps.getBytes(StandardCharsets.US_ASCII), 0, payload, head.length() + name.length, caps.length());
		String body = String.format("%04x", payload.length + 4) + new String(payload, StandardCharsets.ISO_8859_1) + "0000";
		HttpResponse<String> response = receivePack(body);
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("not valid UTF-8");
		assertUpstreamUntouched();
	}

}
