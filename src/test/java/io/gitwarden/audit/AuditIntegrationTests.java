package io.gitwarden.audit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.gitwarden.auth.JwtTokenVerifier;
import io.gitwarden.embedded.EmbeddedGitServer;
import io.gitwarden.testsupport.AuditLines;
import io.gitwarden.testsupport.Eventually;
import io.gitwarden.testsupport.GitCli;
import io.gitwarden.testsupport.TestRepositories;
import io.gitwarden.testsupport.Tokens;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The audit trail, admin API and metrics end to end: the real git CLI through git-warden to JGit's
 * GitServlet, whose pre-receive hook rejects {@code refs/heads/agent/rejected} on its own.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AuditIntegrationTests {

	static final String UPSTREAM_TOKEN = "ghs_audit-upstream-token";

	static final String ADMIN_TOKEN = "admin-token-0123456789abcdef";

	static final String UPSTREAM_REJECTS = "refs/heads/agent/rejected";

	static final JsonMapper JSON = JsonMapper.builder().build();

	static Path scratch;

	static Path auditFile;

	static GitCli git;

	static TestRepositories repositories;

	static EmbeddedGitServer upstream;

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		scratch = Files.createTempDirectory("warden-audit-it");
		auditFile = scratch.resolve("audit/audit.jsonl");
		git = new GitCli(scratch.resolve("home"));
		repositories = new TestRepositories(git, Files.createDirectories(scratch.resolve("repos")), scratch);
		upstream = EmbeddedGitServer.start(repositories.root(), UPSTREAM_TOKEN,
				(receivePack) -> {
					receivePack.setAllowPushOptions(true);
					receivePack.setPreReceiveHook((pack, commands) -> commands.stream()
						.filter((command) -> command.getRefName().equals(UPSTREAM_REJECTS))
						.forEach((command) -> command.setResult(ReceiveCommand.Result.REJECTED_OTHER_REASON,
								"upstream policy says no")));
				});
		registry.add("warden.upstream.url", () -> upstream.baseUrl().toString());
		registry.add("warden.upstream.token", () -> UPSTREAM_TOKEN);
		registry.add("warden.auth.hmac-secret", () -> Tokens.SECRET);
		registry.add("warden.audit.file", auditFile::toString);
		registry.add("warden.admin.token", () -> ADMIN_TOKEN);
	}

	@AfterAll
	static void stop() {
		upstream.close();
	}

	/** Clones {@code repo} into a directory named after the session and commits one file there. */
	Path cloneAndCommit(String repo, String session, String token) throws IOException {
		Path work = scratch.resolve(session);
		git.run(scratch, "clone", "-q", url(token, repo), work.toString()).assertSuccess();
		Files.writeString(work.resolve("agent.txt"), "work\n");
		git.run(work, "add", ".").assertSuccess();
		git.run(work, "commit", "-q", "-m", "agent work").assertSuccess();
		return work;
	}

	@Test
	void cloneAndPushAreAuditedWithTheUpstreamsPerRefResult() throws IOException {
		String repo = repository("clone-push");
		String session = "s-" + UUID.randomUUID();
		String token = Tokens.forRepo(repo).claim("sub", session).sign();
		Path work = cloneAndCommit(repo, session, token);
		git.run(work, "push", "-q", "origin", "HEAD:agent/work").assertSuccess();
		String pushed = repositories.resolve(repo, "refs/heads/agent/work");

		List<JsonNode> events = awaitEvents(session, (found) -> found.stream().anyMatch((e) -> "push".equals(text(e, "operation"))));
		assertThat(events).extracting((e) -> text(e, "operation") + " " + text(e, "service"))
			.containsSubsequence("advertise git-upload-pack", "fetch git-upload-pack", "advertise git-receive-pack",
					"push git-receive-pack");
		for (JsonNode event : events) {
			assertThat(text(event, "decision")).isEqualTo("allowed");
			assertThat(text(event, "repo")).isEqualTo(repo);
			assertThat(event.get("status").asInt()).isEqualTo(200);
			if (event.has("cache")) {
				// a fetch served from the repository's mirror by the fetch cache: the upstream was not asked
				assertThat(text(event, "cache")).isIn("hit", "miss");
				assertThat(event.has("upstreamStatus")).isFalse();
			}
			else {
				assertThat(event.get("upstreamStatus").asInt()).isEqualTo(200);
			}
			assertThat(text(event, "tokenSha256")).isEqualTo(JwtTokenVerifier.sha256(token));
			assertThat(text(event, "client")).isEqualTo("127.0.0.1");
			assertThat(text(event, "userAgent")).startsWith("git/");
			assertThat(text(event, "time")).endsWith("Z");
			assertThat(event.get("requestId").asString()).isNotBlank();
			assertThat(event.has("reason")).isFalse();
		}
		assertThat(events).filteredOn((e) -> "fetch".equals(text(e, "operation")))
			.extracting((e) -> text(e, "cache"))
			.as("the clone's fetch went to the cache (a v2 ls-refs has no cache field)")
			.contains("miss");
		JsonNode fetch = events.stream().filter((e) -> "fetch".equals(text(e, "operation"))).findFirst().orElseThrow();
		assertThat(fetch.get("bytesOut").asLong()).isPositive();
		JsonNode push = events.stream().filter((e) -> "push".equals(text(e, "operation"))).findFirst().orElseThrow();
		assertThat(push.get("bytesIn").asLong()).isPositive();
		JsonNode update = push.get("updates").get(0);
		assertThat(push.get("updates").size()).isOne();
		assertThat(text(update, "ref")).isEqualTo("refs/heads/agent/work");
		assertThat(text(update, "old")).isEqualTo(ObjectId.zeroId().name());
		assertThat(text(update, "new")).isEqualTo(pushed);
		assertThat(text(update, "type")).isEqualTo("create");
		assertThat(text(update, "result")).isEqualTo("ok");
		assertThat(Files.readString(auditFile)).doesNotContain(token);
	}

	/** Sends raw bytes (what no HTTP client library would send) and returns the response head. */
	private String raw(byte[] request) throws IOException {
		try (java.net.Socket socket = new java.net.Socket("127.0.0.1", this.port)) {
			socket.setSoTimeout(10_000);
			socket.getOutputStream().write(request);
			socket.getOutputStream().flush();
			byte[] buffer = new byte[4096];
			int n = socket.getInputStream().read(buffer);
			return (n > 0) ? new String(buffer, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1) : "";
		}
	}

	private static String requestId(String response) {
		java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("X-Request-Id: ([0-9a-f-]+)").matcher(response);
		return matcher.find() ? matcher.group(1) : null;
	}

	@Test
	void aUserAgentWithC1BytesCannotEscapeTheRecord() throws Exception {
		String repo = repository("c1");
		byte[] head = ("GET /" + repo + ".git/info/refs?service=git-upload-pack HTTP/1.1\r\nHost: x\r\nUser-Agent: git/")
			.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
		byte[] tail = "evil\r\nConnection: close\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
		byte[] request = new byte[head.length + 2 + tail.length];
		System.arraycopy(head, 0, request, 0, head.length);
		request[head.length] = (byte) 0x85;
		request[head.length + 1] = (byte) 0x9b;
		System.arraycopy(tail, 0, request, head.length + 2, tail.length);
		String response = raw(request);
		assertThat(response).startsWith("HTTP/1.1 401");
		String requestId = requestId(response);
		JsonNode event = Eventually.await(() -> eventsWhere((e) -> requestId.equals(text(e, "requestId"))),
				(found) -> !found.isEmpty())
			.get(0);
		assertThat(text(event, "userAgent")).isEqualTo("git/\u0085\u009bevil");
		assertThat(text(event, "decision")).isEqualTo("challenged");
		assertThat(text(event.get("reason"), "code")).isEqualTo("credentials-missing");
	}

	@Test
	void gitsFirstRequestWithoutCredentialsIsAChallengeNotARefusal() throws Exception {
		String repo = repository("challenge");
		HttpResponse<String> response = get("/" + repo + ".git/info/refs?service=git-upload-pack", null);
		assertThat(response.statusCode()).isEqualTo(401);
		String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
		JsonNode event = Eventually.await(() -> eventsWhere((e) -> requestId.equals(text(e, "requestId"))),
				(found) -> !found.isEmpty())
			.get(0);
		assertThat(text(event, "decision")).isEqualTo("challenged");
		assertThat(text(event.get("reason"), "category")).isEqualTo("authentication");
	}

	@Test
	void requestsRejectedBeforeAnyHandlerAreRecorded() throws Exception {
		// a traversal probe, refused by the firewall
		String traversal = raw("GET /acme/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
			.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
		assertThat(traversal).startsWith("HTTP/1.1 400");
		// a request line Tomcat itself refuses
		String badLine = raw("GET /a b c HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
		assertThat(badLine).startsWith("HTTP/1.1 400");
		// headers larger than Tomcat reads
		String huge = raw(("GET /acme/x.git/info/refs?service=git-upload-pack HTTP/1.1\r\nHost: x\r\nX-Big: "
				+ "a".repeat(20_000) + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
		assertThat(huge).startsWith("HTTP/1.1 400");
		List<JsonNode> rejected = Eventually.await(() -> eventsWhere((e) -> "rejected".equals(text(e, "operation"))
				&& e.get("status").asInt() == 400), (found) -> found.size() >= 3);
		assertThat(rejected).allSatisfy((event) -> {
			assertThat(text(event, "decision")).isEqualTo("denied");
			assertThat(text(event.get("reason"), "code")).isEqualTo("request-rejected");
		});
		assertThat(rejected).anySatisfy((event) -> assertThat(text(event, "path")).contains("%2e%2e"));
	}

	@Test
	void forwardedHeadersAreNotTrustedFromUnconfiguredProxies() throws Exception {
		String repo = repository("forwarded");
		HttpResponse<String> response = this.http.send(HttpRequest
			.newBuilder(URI.create(base() + "/" + repo + ".git/info/refs?service=git-upload-pack"))
			.header("X-Forwarded-For", "203.0.113.9")
			.build(), HttpResponse.BodyHandlers.ofString());
		String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
		JsonNode event = Eventually.await(() -> eventsWhere((e) -> requestId.equals(text(e, "requestId"))),
				(found) -> !found.isEmpty())
			.get(0);
		assertThat(text(event, "client")).isEqualTo("127.0.0.1");
	}

	@Test
	void aLargeChunkedPushWithPushOptionsIsRecordedAsAllowedWithItsOptions() throws IOException {
		String repo = repository("chunked");
		String session = "s-" + UUID.randomUUID();
		String token = Tokens.forRepo(repo).claim("sub", session).sign();
		Path work = cloneAndCommit(repo, session, token);
		// 3 MiB of random bytes: over git's 1 MiB postBuffer, so the push goes chunked after a probe
		byte[] random = new byte[3 * 1024 * 1024];
		new java.util.Random(7).nextBytes(random);
		Files.write(work.resolve("big.bin"), random);
		git.run(work, "add", ".").assertSuccess();
		git.run(work, "commit", "-q", "-m", "big").assertSuccess();
		git.run(work, "-c", "push.pushOption=ci.skip", "push", "-q", "origin", "HEAD:agent/work").assertSuccess();
		List<JsonNode> pushes = awaitEvents(session,
				(found) -> found.stream().anyMatch((e) -> "push".equals(text(e, "operation")) && e.has("updates")));
		JsonNode push = pushes.stream().filter((e) -> e.has("updates")).reduce((a, b) -> b).orElseThrow();
		assertThat(text(push, "decision")).isEqualTo("allowed");
		assertThat(push.get("bytesIn").asLong()).isGreaterThan(3_000_000L);
		assertThat(text(push.get("updates").get(0), "result")).isEqualTo("ok");
		assertThat(push.get("pushOptions").get(0).asString()).isEqualTo("ci.skip");
	}

	@Test
	void aRefTheUpstreamRejectsIsRecordedAsRejectedWithTheUpstreamsReason() throws IOException {
		String repo = repository("upstream-rejects");
		String session = "s-" + UUID.randomUUID();
		String token = Tokens.forRepo(repo).claim("sub", session).claim("branch", "agent/rejected").sign();
		Path work = cloneAndCommit(repo, session, token);
		GitCli.Result result = git.run(work, "push", "origin", "HEAD:agent/rejected");
		assertThat(result.exitCode()).isNotZero();
		assertThat(result.stderr()).contains("upstream policy says no");

		JsonNode push = awaitEvent(session, "push");
		assertThat(text(push, "decision")).isEqualTo("allowed"); // git-warden allowed it; the upstream did not
		JsonNode update = push.get("updates").get(0);
		assertThat(text(update, "ref")).isEqualTo(UPSTREAM_REJECTS);
		assertThat(text(update, "result")).isEqualTo("rejected");
		assertThat(text(update.get("reason"), "by")).isEqualTo("upstream");
		assertThat(text(update.get("reason"), "message")).isEqualTo("upstream policy says no");
	}

	@Test
	void theSessionsSummaryAndCountsReadTheAuditFile() throws Exception {
		String repo = repository("summary");
		String session = "s-" + UUID.randomUUID();
		String token = Tokens.forRepo(repo).claim("sub", session).sign();
		java.time.Instant before = java.time.Instant.now().minusSeconds(1);
		Path work = cloneAndCommit(repo, session, token);
		git.run(work, "push", "-q", "origin", "HEAD:agent/work").assertSuccess();
		assertThat(git.run(work, "push", "origin", "HEAD:develop").exitCode()).isNotZero();
		awaitEvents(session, (found) -> found.stream().filter((e) -> "push".equals(text(e, "operation"))).count() == 2);

		HttpResponse<String> response = admin("GET", "/admin/v1/sessions?since=" + before, null, ADMIN_TOKEN);
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode body = JSON.readTree(response.body());
		assertThat(body.get("complete").asBoolean()).isTrue();
		JsonNode summary = null;
		for (JsonNode row : body.get("sessions")) {
			if (session.equals(text(row, "session"))) {
				summary = row;
			}
		}
		assertThat(summary).as("the session in the summary").isNotNull();
		assertThat(summary.get("pushes").asLong()).isEqualTo(2);
		assertThat(summary.get("fetches").asLong()).isPositive();
		assertThat(summary.get("denials").asLong()).isEqualTo(1);
		assertThat(summary.get("requests").asLong()).isGreaterThanOrEqualTo(6);
		assertThat(summary.get("repositories").get(0).asString()).isEqualTo(repo);
		assertThat(summary.get("refs").toString()).contains("refs/heads/agent/work").contains("refs/heads/develop");
		assertThat(summary.get("reasons").get(0).asString()).isEqualTo("ref-not-session-branch");
		assertThat(java.time.Instant.parse(text(summary, "lastSeen")))
			.isAfterOrEqualTo(java.time.Instant.parse(text(summary, "firstSeen")));

		HttpResponse<String> counts = admin("GET", "/admin/v1/audit/counts?session=" + session + "&since=" + before,
				null, ADMIN_TOKEN);
		assertThat(counts.statusCode()).isEqualTo(200);
		JsonNode count = JSON.readTree(counts.body());
		assertThat(count.get("events").asLong()).isEqualTo(summary.get("requests").asLong());
		assertThat(count.at("/byDecision/denied").asLong()).isEqualTo(1);
		assertThat(count.at("/byOperation/push").asLong()).isEqualTo(2);
		assertThat(count.at("/byReason/ref-not-session-branch").asLong()).isEqualTo(1);

		// the event query filters by reason as well
		HttpResponse<String> denied = admin("GET", "/admin/v1/audit?reason=ref-not-session-branch&session=" + session,
				null, ADMIN_TOKEN);
		assertThat(JSON.readTree(denied.body())).hasSize(1);
		assertThat(admin("GET", "/admin/v1/sessions?since=yesterday", null, ADMIN_TOKEN).statusCode()).isEqualTo(400);
		assertThat(admin("GET", "/admin/v1/sessions?since=2020-01-01T00:00:00Z", null, ADMIN_TOKEN).statusCode())
			.as("more than 31 days").isEqualTo(400);
		assertThat(admin("GET", "/admin/v1/sessions", null, null).statusCode()).isEqualTo(401);
	}

	@Test
	void aPushRefusedByPolicyIsRecordedAsDenied() throws IOException {
		String repo = repository("refused");
		String session = "s-" + UUID.randomUUID();
		String token = Tokens.forRepo(repo).claim("sub", session).sign();
		Path work = cloneAndCommit(repo, session, token);
		assertThat(git.run(work, "push", "origin", "HEAD:develop").exitCode()).isNotZero();

		JsonNode push = awaitEvent(session, "push");
		assertThat(text(push, "decision")).isEqualTo("denied");
		assertThat(text(push.get("reason"), "code")).isEqualTo("ref-not-session-branch");
		assertThat(text(push.get("reason"), "category")).isEqualTo("authorization");
		assertThat(text(push.get("reason"), "message")).contains("refs/heads/agent/work");
		assertThat(push.has("upstreamStatus")).isFalse();
		JsonNode update = push.get("updates").get(0);
		assertThat(text(update, "ref")).isEqualTo("refs/heads/develop");
		assertThat(text(update, "type")).isEqualTo("create");
		assertThat(text(update, "result")).isEqualTo("rejected");
		assertThat(text(update.get("reason"), "by")).isEqualTo("warden");
		assertThat(text(update.get("reason"), "code")).isEqualTo("ref-not-session-branch");
	}

	@Test
	void unauthenticatedRequestsAreRecordedWithoutASession() throws Exception {
		String repo = repository("unauthenticated");
		String badToken = Tokens.withSecret("another-secret-0123456789-abcdefghijklmnopqrs", repo).sign();
		HttpResponse<String> response = this.http.send(HttpRequest
			.newBuilder(URI.create(base() + "/" + repo + ".git/info/refs?service=git-upload-pack"))
			.header("Authorization", "Bearer " + badToken)
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(401);
		String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
		JsonNode event = Eventually.await(() -> eventsWhere((e) -> requestId.equals(text(e, "requestId"))), (found) -> !found.isEmpty())
			.get(0);
		assertThat(text(event, "decision")).isEqualTo("unauthenticated");
		assertThat(event.has("session")).isFalse();
		assertThat(text(event.get("reason"), "code")).isEqualTo("token-invalid");
		assertThat(text(event, "tokenSha256")).isEqualTo(JwtTokenVerifier.sha256(badToken));
		assertThat(event.get("status").asInt()).isEqualTo(401);
		assertThat(text(event, "operation")).isEqualTo("advertise");
	}

	@Test
	void aThousandConcurrentRequestsGiveAThousandCompleteChainedEvents() throws Exception {
		String repo = repository("concurrent");
		String session = "s-" + UUID.randomUUID();
		String token = Tokens.forRepo(repo).claim("sub", session).sign();
		URI uri = URI.create(base() + "/" + repo + ".git/info/refs?service=git-upload-pack");
		ExecutorService executor = Executors.newFixedThreadPool(32);
		try {
			List<Future<Integer>> statuses = new ArrayList<>();
			for (int i = 0; i < 1000; i++) {
				statuses.add(executor.submit(() -> this.http
					.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token).build(),
							HttpResponse.BodyHandlers.discarding())
					.statusCode()));
			}
			for (Future<Integer> status : statuses) {
				assertThat(status.get()).isEqualTo(200);
			}
		}
		finally {
			executor.shutdownNow();
		}
		List<JsonNode> events = awaitEvents(session, (found) -> found.size() >= 1000);
		assertThat(events).hasSize(1000);
		assertThat(events).extracting((e) -> text(e, "requestId")).doesNotHaveDuplicates();
		assertThat(events).allSatisfy((e) -> assertThat(text(e, "decision")).isEqualTo("allowed"));
		// every line of the file parses, and the whole file is one chain
		for (String line : AuditLines.read(auditFile)) {
			assertThat(JSON.readTree(line).isObject()).isTrue();
		}
		AuditVerifier.Result result = AuditVerifier.verify(List.of(auditFile));
		assertThat(result.ok()).as(result.toString()).isTrue();
		assertThat(result.anchor()).isEqualTo(AuditChain.GENESIS);
	}

	@Test
	void theVerifierDetectsAnEditedOrDeletedLineOfTheRealFile() throws Exception {
		String repo = repository("tamper");
		String token = Tokens.forRepo(repo).claim("sub", "s-" + UUID.randomUUID()).sign();
		for (int i = 0; i < 3; i++) {
			assertThat(get("/" + repo + ".git/info/refs?service=git-upload-pack", "Bearer " + token).statusCode())
				.isEqualTo(200);
		}
		Eventually.await(() -> AuditLines.read(auditFile), (lines) -> lines.size() >= 3);
		Path copy = scratch.resolve("tampered.jsonl");
		List<String> lines = new ArrayList<>(AuditLines.read(auditFile));
		Files.write(copy, lines);
		assertThat(verify(copy)).startsWith("OK " + lines.size() + " lines (from genesis)");

		List<String> edited = new ArrayList<>(lines);
		edited.set(1, edited.get(1).replace("\"decision\":\"", "\"decision\":\"x"));
		Files.write(copy, edited);
		assertThat(verify(copy)).isEqualTo("BROKEN " + copy + ":3: "
				+ "'prev' does not match the previous line (a line was edited, removed or inserted before it)");

		List<String> deleted = new ArrayList<>(lines);
		deleted.remove(1);
		Files.write(copy, deleted);
		assertThat(verify(copy)).startsWith("BROKEN " + copy + ":2: ");
	}

	@Test
	void revokingASessionRefusesItsNextRequest() throws Exception {
		String repo = repository("revoke");
		HttpResponse<String> minted = admin("POST", "/admin/v1/tokens",
				"{\"repo\":\"" + repo + "\",\"branch\":\"agent/work\",\"scope\":\"fetch push\",\"ttlSeconds\":600}",
				ADMIN_TOKEN);
		assertThat(minted.statusCode()).isEqualTo(201);
		JsonNode body = JSON.readTree(minted.body());
		String token = text(body, "token");
		String session = text(body, "session");
		assertThat(session).startsWith("ses_");
		assertThat(text(body, "expiresAt")).endsWith("Z");

		Path work = scratch.resolve(session);
		git.run(scratch, "clone", "-q", url(token, repo), work.toString()).assertSuccess();
		assertThat(admin("POST", "/admin/v1/sessions/" + session + "/revoke", null, ADMIN_TOKEN).statusCode())
			.isEqualTo(204);
		GitCli.Result fetch = git.run(work, "fetch", "origin");
		assertThat(fetch.exitCode()).isNotZero();
		assertThat(fetch.stderr()).contains("session revoked");

		// the refused request names the revoked session, and is also joined by the token's hash
		String tokenSha256 = JwtTokenVerifier.sha256(token);
		List<JsonNode> byToken = Eventually.await(() -> eventsWhere((e) -> tokenSha256.equals(text(e, "tokenSha256"))),
				(found) -> found.stream().anyMatch((e) -> e.has("reason")));
		JsonNode last = byToken.get(byToken.size() - 1);
		assertThat(text(last, "decision")).isEqualTo("unauthenticated");
		assertThat(text(last.get("reason"), "code")).isEqualTo("session-revoked");
		assertThat(text(last, "session")).isEqualTo(session);
		assertThat(last.get("status").asInt()).isEqualTo(401);

		// the admin query answers newest first, filtered
		List<JsonNode> allowed = eventsWhere(
				(e) -> session.equals(text(e, "session")) && "allowed".equals(text(e, "decision")));
		// the clone and fetch before the revocation: an advertisement and a fetch at least
		assertThat(allowed).extracting((e) -> text(e, "operation")).contains("advertise", "fetch");
		HttpResponse<String> query = admin("GET", "/admin/v1/audit?session=" + session + "&decision=allowed&limit=1000", null,
				ADMIN_TOKEN);
		assertThat(query.statusCode()).isEqualTo(200);
		List<String> newestFirst = new ArrayList<>();
		JSON.readTree(query.body()).forEach((e) -> newestFirst.add(text(e, "requestId")));
		List<String> expected = new ArrayList<>(allowed.stream().map((e) -> text(e, "requestId")).toList());
		java.util.Collections.reverse(expected);
		assertThat(newestFirst).isEqualTo(expected);
		JsonNode unauthenticated = JSON.readTree(admin("GET",
				"/admin/v1/audit?repo=" + repo.toUpperCase() + "&decision=unauthenticated&limit=1", null, ADMIN_TOKEN)
			.body());
		assertThat(unauthenticated.size()).isOne();
		assertThat(text(unauthenticated.get(0), "requestId")).isEqualTo(text(last, "requestId"));
		String since = text(last, "time");
		JsonNode recent = JSON.readTree(
				admin("GET", "/admin/v1/audit?repo=" + repo + "&since=" + since, null, ADMIN_TOKEN).body());
		assertThat(recent.size()).isOne();
	}

	@Test
	void theAdminApiAcceptsOnlyTheAdminToken() throws Exception {
		String body = "{\"repo\":\"acme/x\",\"scope\":\"fetch\"}";
		assertThat(admin("POST", "/admin/v1/tokens", body, null).statusCode()).isEqualTo(401);
		assertThat(admin("POST", "/admin/v1/tokens", body, ADMIN_TOKEN + "x").statusCode()).isEqualTo(401);
		String sessionToken = Tokens.forRepo("acme/x").sign();
		HttpResponse<String> withSessionToken = admin("POST", "/admin/v1/tokens", body, sessionToken);
		assertThat(withSessionToken.statusCode()).isEqualTo(401);
		assertThat(withSessionToken.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"git-warden-admin\"");
		assertThat(JSON.readTree(withSessionToken.body()).get("error").asString()).isEqualTo("unauthorized");
		assertThat(admin("GET", "/admin/v1/audit", null, sessionToken).statusCode()).isEqualTo(401);
		// an unknown admin path is the admin API's 404, never the git proxy's
		HttpResponse<String> unknown = admin("GET", "/admin/v1/nothing", null, ADMIN_TOKEN);
		assertThat(unknown.statusCode()).isEqualTo(404);
		assertThat(JSON.readTree(unknown.body()).get("error").asString()).isEqualTo("not_found");
	}

	@Test
	void mintingValidatesItsInput() throws Exception {
		assertBadRequest("{\"repo\":\"not-a-repo\",\"scope\":\"fetch\"}", "'repo'");
		assertBadRequest("{\"repo\":\"acme/x\",\"scope\":\"fetch admin\"}", "unknown scope word 'admin'");
		assertBadRequest("{\"repo\":\"acme/x\",\"scope\":\"fetch push\"}", "'branch' is required");
		assertBadRequest("{\"repo\":\"acme/x\",\"branch\":\"a..b\",\"scope\":\"push\"}", "'branch'");
		assertBadRequest("{\"repo\":\"acme/x\",\"scope\":\"fetch\",\"ttlSeconds\":86401}", "'ttlSeconds'");
		assertBadRequest("{\"repo\":\"acme/x\",\"scope\":\"fetch\",\"ttlSeconds\":0}", "'ttlSeconds'");
		assertBadRequest("{not json", "not valid JSON");
		assertThat(admin("GET", "/admin/v1/audit?decision=maybe", null, ADMIN_TOKEN).statusCode()).isEqualTo(400);
		assertThat(admin("GET", "/admin/v1/audit?limit=1001", null, ADMIN_TOKEN).statusCode()).isEqualTo(400);
		assertThat(admin("GET", "/admin/v1/audit?since=yesterday", null, ADMIN_TOKEN).statusCode()).isEqualTo(400);
		HttpResponse<String> minted = admin("POST", "/admin/v1/tokens",
				"{\"repo\":\"acme/x\",\"scope\":\"fetch\",\"session\":\"my-session\"}", ADMIN_TOKEN);
		assertThat(minted.statusCode()).isEqualTo(201);
		assertThat(JSON.readTree(minted.body()).get("session").asString()).isEqualTo("my-session");
	}

	@Test
	void metricsHealthAndTheApiDescriptionAreServedWithoutAToken() throws Exception {
		String repo = repository("metrics");
		String token = Tokens.forRepo(repo).sign();
		assertThat(get("/" + repo + ".git/info/refs?service=git-upload-pack", "Bearer " + token).statusCode())
			.isEqualTo(200);
		assertThat(get("/" + repo + ".git/info/refs?service=git-upload-pack", null).statusCode()).isEqualTo(401);
		List<String> recorded = List.of(
				"warden_git_requests_total{decision=\"allowed\",operation=\"advertise\",service=\"git-upload-pack\"}",
				"warden_git_requests_total{decision=\"challenged\",operation=\"advertise\",service=\"git-upload-pack\"}",
				"warden_git_refusals_total{reason=\"credentials-missing\"}",
				"warden_upstream_requests_seconds_count{operation=\"advertise\",service=\"git-upload-pack\",status=\"200\"}",
				"warden_git_bytes_total{direction=\"out\"}");
		// requests are counted just after their responses are complete
		HttpResponse<String> metrics = Eventually.await(() -> management("/actuator/prometheus"),
				(scrape) -> recorded.stream().allMatch(scrape.body()::contains));
		assertThat(metrics.statusCode()).isEqualTo(200);
		assertThat(metrics.body()).contains(recorded)
			.contains("warden_requests_active ")
			.contains("warden_recording_failures_total 0.0")
			.contains("warden_audit_failures_total 0.0");
		assertThat(management("/actuator/health/liveness").statusCode()).isEqualTo(200);
		assertThat(management("/actuator/health/readiness").statusCode()).isEqualTo(200);
		// the management port serves only what it exposes, and the git port none of it
		assertThat(management("/actuator/env").statusCode()).isIn(403, 404);
		assertThat(management("/actuator/beans").statusCode()).isIn(403, 404);
		assertThat(get("/actuator/prometheus", null).statusCode()).isEqualTo(404);
		assertThat(get("/actuator/health", null).statusCode()).isEqualTo(404);
		HttpResponse<String> openApi = get("/openapi/admin-v1.yaml", null);
		assertThat(openApi.statusCode()).isEqualTo(200);
		assertThat(openApi.body()).startsWith("openapi: 3.1.0").contains("/admin/v1/tokens");
	}

	private HttpResponse<String> management(String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.managementPort + path)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	@Test
	void adminCallsAndFailedAdminLoginsAreRecorded() throws Exception {
		String session = "admin-audited-" + UUID.randomUUID();
		HttpResponse<String> minted = admin("POST", "/admin/v1/tokens",
				"{\"repo\":\"acme/audited\",\"scope\":\"fetch\",\"session\":\"" + session + "\"}", ADMIN_TOKEN);
		assertThat(minted.statusCode()).isEqualTo(201);
		String token = JSON.readTree(minted.body()).get("token").asString();
		assertThat(admin("POST", "/admin/v1/sessions/" + session + "/revoke", null, ADMIN_TOKEN).statusCode())
			.isEqualTo(204);
		assertThat(admin("GET", "/admin/v1/audit?limit=1", null, "wrong-admin-token-0123456789").statusCode())
			.isEqualTo(401);
		List<JsonNode> admin = Eventually.await(() -> eventsWhere((e) -> "admin".equals(text(e, "operation"))
				&& e.has("admin") && session.equals(text(e.get("admin"), "subject"))), (found) -> found.size() >= 2);
		assertThat(admin).extracting((e) -> text(e.get("admin"), "action")).contains("mint", "revoke");
		assertThat(admin).allSatisfy((e) -> assertThat(text(e, "decision")).isEqualTo("allowed"));
		List<JsonNode> failed = Eventually.await(() -> eventsWhere((e) -> "admin".equals(text(e, "operation"))
				&& "unauthenticated".equals(text(e, "decision"))), (found) -> !found.isEmpty());
		assertThat(text(failed.get(0).get("reason"), "message")).isEqualTo("admin token rejected");
		assertThat(Files.readString(auditFile)).doesNotContain(token).doesNotContain("wrong-admin-token");
	}

	@Test
	void sessionIdsThatCannotBeRevokedCannotBeMinted() throws Exception {
		for (String session : new String[] { "a/b", "a;b", "a%2Fb", "a\\\\b" }) {
			HttpResponse<String> response = admin("POST", "/admin/v1/tokens",
					"{\"repo\":\"acme/x\",\"scope\":\"fetch\",\"session\":\"" + session + "\"}", ADMIN_TOKEN);
			assertThat(response.statusCode()).as(session).isEqualTo(400);
			assertThat(response.body()).as(session).contains("session ids appear in URLs");
		}
	}

	private void assertBadRequest(String body, String message) throws Exception {
		HttpResponse<String> response = admin("POST", "/admin/v1/tokens", body, ADMIN_TOKEN);
		assertThat(response.statusCode()).as(body).isEqualTo(400);
		JsonNode error = JSON.readTree(response.body());
		assertThat(error.get("error").asString()).isEqualTo("bad_request");
		assertThat(error.get("message").asString()).contains(message);
	}

	private static String verify(Path file) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
		AuditVerifier.run(List.of(file.toString()), print, print);
		return out.toString(StandardCharsets.UTF_8).trim();
	}

	private HttpResponse<String> get(String path, String authorization) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + path));
		if (authorization != null) {
			request.header("Authorization", authorization);
		}
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> admin(String method, String path, String body, String token) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + path))
			.method(method, (body != null) ? HttpRequest.BodyPublishers.ofString(body)
					: HttpRequest.BodyPublishers.noBody())
			.header("Content-Type", "application/json");
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private String base() {
		return "http://127.0.0.1:" + this.port;
	}

	private String url(String token, String repo) {
		return "http://x:" + token + "@127.0.0.1:" + this.port + "/" + repo + ".git";
	}

	private static String repository(String name) {
		String repo = "acme/" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
		repositories.create(repo, 2);
		return repo;
	}

	private static JsonNode awaitEvent(String session, String operation) throws IOException {
		List<JsonNode> events = awaitEvents(session,
				(found) -> found.stream().anyMatch((e) -> operation.equals(text(e, "operation"))));
		return events.stream().filter((e) -> operation.equals(text(e, "operation"))).reduce((a, b) -> b).orElseThrow();
	}

	/**
	 * The events of a session once {@code done} holds. The audit line of a request is written just after
	 * its response is complete, so a client can see the response a moment before the line exists: poll
	 * the file, with a deadline.
	 */
	private static List<JsonNode> awaitEvents(String session, java.util.function.Predicate<List<JsonNode>> done)
			throws IOException {
		return Eventually.await(() -> eventsWhere((e) -> session.equals(text(e, "session"))), done);
	}

	private static List<JsonNode> eventsWhere(java.util.function.Predicate<JsonNode> filter) throws IOException {
		List<JsonNode> events = new ArrayList<>();
		for (String line : AuditLines.read(auditFile)) {
			JsonNode event = JSON.readTree(line);
			if (filter.test(event)) {
				events.add(event);
			}
		}
		return events;
	}

	private static String text(JsonNode node, String field) {
		JsonNode value = node.get(field);
		return (value != null && !value.isNull()) ? value.asString() : null;
	}

}
