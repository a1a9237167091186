package io.gitwarden.lfs;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Stream;

import io.gitwarden.auth.JwtTokenVerifier;
import io.gitwarden.embedded.EmbeddedGitServer;
import io.gitwarden.protocol.RepositoryId;
import io.gitwarden.testsupport.Eventually;
import io.gitwarden.testsupport.GitCli;
import io.gitwarden.testsupport.TestRepositories;
import io.gitwarden.testsupport.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Git LFS end to end: the real git-lfs client through git-warden to a real LFS server (the embedded
 * upstream's), and the transfer URLs attacked directly with an HTTP client.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class LfsIntegrationTests {

	static final String UPSTREAM_TOKEN = "ghs_lfs-upstream-token";

	static final String ADMIN_TOKEN = "lfs-admin-token-0123456789";

	static final String SIGNING_KEY = "lfs-test-signing-key-0123456789-abcdefghijklmnop";

	static final long MAX_OBJECT = 256 * 1024;

	static final long SESSION_QUOTA = 400 * 1024;

	static final JsonMapper JSON = JsonMapper.builder().build();

	static Path scratch;

	static GitCli git;

	static TestRepositories repositories;

	static Path auditFile;

	static EmbeddedGitServer upstream;

	final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		scratch = Files.createTempDirectory("warden-lfs-it");
		git = new GitCli(scratch.resolve("home"));
		git.run(scratch, "lfs", "install", "--skip-repo").assertSuccess();
		repositories = new TestRepositories(git, Files.createDirectories(scratch.resolve("repos")), scratch);
		auditFile = scratch.resolve("audit.jsonl");
		upstream = EmbeddedGitServer.start(repositories.root(), UPSTREAM_TOKEN, (receivePack) -> {
		});
		registry.add("warden.upstream.url", () -> upstream.baseUrl().toString());
		registry.add("warden.upstream.token", () -> UPSTREAM_TOKEN);
		registry.add("warden.auth.hmac-secret", () -> Tokens.SECRET);
		registry.add("warden.audit.file", auditFile::toString);
		registry.add("warden.lfs.signing-key", () -> SIGNING_KEY);
		registry.add("warden.admin.token", () -> ADMIN_TOKEN);
		registry.add("warden.lfs.max-object-size", () -> MAX_OBJECT + "B");
		registry.add("warden.lfs.max-upload-bytes-per-session", () -> SESSION_QUOTA + "B");
	}

	@AfterAll
	static void stop() {
		upstream.close();
	}

	// --- helpers

	static String repository(String name) {
		String repo = "acme/" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
		repositories.create(repo, 1);
		return repo;
	}

	static String session() {
		return "lfs-" + UUID.randomUUID();
	}

	String url(String token, String repo) {
		return "http://x:" + token + "@127.0.0.1:" + this.port + "/" + repo + ".git";
	}

	String base() {
		return "http://127.0.0.1:" + this.port;
	}

	Path cloneRepo(String token, String repo) throws IOException {
		Path work = Files.createTempDirectory(scratch, "clone");
		git.run(scratch, "clone", "-q", url(token, repo), work.toString()).assertSuccess();
		return work;
	}

	/** Tracks {@code *.bin}, adds {@code name} with {@code content} and commits. */
	static void commitLfsFile(Path work, String name, byte[] content) throws IOException {
		git.run(work, "lfs", "track", "*.bin").assertSuccess();
		Files.write(work.resolve(name), content);
		git.run(work, "add", ".gitattributes", name).assertSuccess();
		git.run(work, "commit", "-q", "-m", "add " + name).assertSuccess();
	}

	static byte[] random(int size) {
		byte[] bytes = new byte[size];
		new Random().nextBytes(bytes);
		return bytes;
	}

	static String sha256(byte[] content) throws Exception {
		return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
	}

	static Path stored(String repo, String oid) {
		return EmbeddedGitServer.lfsObject(repositories.root(), repo, oid);
	}

	HttpResponse<String> batch(String token, String repo, String operation, String oid, long size) throws Exception {
		String body = "{\"operation\":\"" + operation + "\",\"transfers\":[\"basic\"],\"objects\":[{\"oid\":\"" + oid
				+ "\",\"size\":" + size + "}]}";
		return this.http.send(HttpRequest.newBuilder(URI.create(base() + "/" + repo + ".git/info/lfs/objects/batch"))
			.header("Authorization", "Bearer " + token)
			.header("Accept", "application/vnd.git-lfs+json")
			.header("Content-Type", "application/vnd.git-lfs+json")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** The href of an action in a batch answer with one object. */
	static String href(HttpResponse<String> batch, String action) {
		assertThat(batch.statusCode()).as(batch.body()).isEqualTo(200);
		return JSON.readTree(batch.body()).get("objects").get(0).get("actions").get(action).get("href").asString();
	}

	HttpResponse<String> put(String href, byte[] content) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create(href))
			.header("Content-Type", "application/octet-stream")
			.PUT(HttpRequest.BodyPublishers.ofByteArray(content))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	HttpResponse<byte[]> get(String href) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create(href)).GET().build(),
				HttpResponse.BodyHandlers.ofByteArray());
	}

	static List<JsonNode> events(Predicate<JsonNode> filter) throws IOException {
		List<JsonNode> events = new ArrayList<>();
		if (!Files.exists(auditFile)) {
			return events;
		}
		for (String line : Files.readAllLines(auditFile)) {
			JsonNode event = JSON.readTree(line);
			if (filter.test(event)) {
				events.add(event);
			}
		}
		return events;
	}

	static List<JsonNode> awaitEvents(String session, Predicate<List<JsonNode>> done) throws IOException {
		return Eventually.await(() -> events((e) -> session.equals(e.path("session").asString(""))), done);
	}

	static long tempFiles() throws IOException {
		try (Stream<Path> files = Files.walk(repositories.root())) {
			return files.filter((path) -> path.getFileName().toString().endsWith(".tmp")).count();
		}
	}

	// --- scenarios

	@Test
	void pushThroughWardenThenCloneWithSmudge() throws Exception {
		String repo = repository("roundtrip");
		String session = session();
		String token = Tokens.forRepo(repo).claim("sub", session).sign();
		Path work = cloneRepo(token, repo);
		byte[] content = random(100 * 1024);
		commitLfsFile(work, "model.bin", content);
		GitCli.Result push = git.run(work, "push", "origin", "HEAD:agent/work");
		assertThat(push.exitCode()).as(push.stderr()).isZero();
		String oid = sha256(content);
		assertThat(stored(repo, oid)).hasBinaryContent(content);

		Path again = Files.createTempDirectory(scratch, "smudge");
		git.run(scratch, "clone", "-q", "-b", "agent/work", url(token, repo), again.toString()).assertSuccess();
		assertThat(again.resolve("model.bin")).hasBinaryContent(content);

		List<JsonNode> events = awaitEvents(session, (found) -> found.stream()
			.anyMatch((e) -> "lfs-download".equals(e.path("operation").asString(""))));
		assertThat(events).extracting((e) -> e.path("operation").asString(""))
			.contains("lfs-batch", "lfs-upload", "lfs-download");
		JsonNode upload = events.stream()
			.filter((e) -> "lfs-upload".equals(e.path("operation").asString("")) && "upload".equals(e.path("lfs").path("action").asString("")))
			.findFirst()
			.orElseThrow();
		assertThat(upload.path("decision").asString()).isEqualTo("allowed");
		assertThat(upload.path("repo").asString()).isEqualTo(repo);
		assertThat(upload.path("tokenSha256").asString()).isEqualTo(JwtTokenVerifier.sha256(token));
		assertThat(upload.path("lfs").path("objects").get(0).path("oid").asString()).isEqualTo(oid);
		assertThat(upload.path("lfs").path("bytes").asLong()).isEqualTo(content.length);
		assertThat(upload.path("path").asString()).doesNotContain("token");
	}

	@Test
	void downloadOnlyTokenIsRefusedOnUploadAndGitLfsPrintsWhy() throws Exception {
		String repo = repository("fetch-only");
		String token = Tokens.forRepo(repo).claim("sub", session()).claim("scope", "fetch").sign();
		Path work = cloneRepo(token, repo);
		byte[] content = random(10 * 1024);
		commitLfsFile(work, "data.bin", content);
		// git itself is refused first (receive-pack needs push), before git-lfs's pre-push hook runs
		GitCli.Result push = git.run(work, "push", "origin", "HEAD:agent/work");
		assertThat(push.exitCode()).isNotZero();
		assertThat(push.stderr()).contains("remote: git-warden: this session's token lacks the 'push' scope for " + repo);
		// git-lfs's own upload: the batch API refuses it, and git-lfs prints why
		GitCli.Result lfsPush = git.run(work, "lfs", "push", "origin", "HEAD");
		assertThat(lfsPush.exitCode()).isNotZero();
		assertThat(lfsPush.stderr()).contains("git-warden: this session's token lacks the 'push' scope for " + repo
				+ "; ask the orchestrator for a token with that scope");
		assertThat(stored(repo, sha256(content))).doesNotExist();
	}

	@Test
	void anotherRepositorysObjectsAreRefused() throws Exception {
		String mine = repository("mine");
		String theirs = repository("theirs");
		String theirToken = Tokens.forRepo(theirs).claim("sub", session()).sign();
		Path work = cloneRepo(theirToken, theirs);
		byte[] content = random(5000);
		commitLfsFile(work, "secret.bin", content);
		git.run(work, "push", "-q", "origin", "HEAD:agent/work").assertSuccess();
		String oid = sha256(content);
		assertThat(stored(theirs, oid)).exists();

		String token = Tokens.forRepo(mine).claim("sub", session()).sign();
		HttpResponse<String> other = batch(token, theirs, "download", oid, content.length);
		assertThat(other.statusCode()).isEqualTo(403);
		assertThat(JSON.readTree(other.body()).get("message").asString())
			.isEqualTo("git-warden: this session may not access " + theirs + "; this session's token grants " + mine);
		// the same object asked for through the session's own repository: that repository does not have it
		HttpResponse<String> own = batch(token, mine, "download", oid, content.length);
		assertThat(own.statusCode()).isEqualTo(200);
		JsonNode object = JSON.readTree(own.body()).get("objects").get(0);
		assertThat(object.has("actions")).isFalse();
		assertThat(object.get("error").get("code").asInt()).isEqualTo(404);
		// a transfer URL of one repository used on another's path
		byte[] mineContent = random(3000);
		String upload = href(batch(token, mine, "upload", sha256(mineContent), mineContent.length), "upload");
		HttpResponse<String> moved = put(upload.replace("/" + mine + ".git/", "/" + theirs + ".git/"), mineContent);
		assertThat(moved.statusCode()).isEqualTo(403);
		assertThat(moved.body()).contains("LFS transfer URL rejected: it was issued for another repository");
		assertThat(stored(theirs, sha256(mineContent))).doesNotExist();
	}

	@Test
	void batchAnswersCarryOnlyWardensUrlsAndNoUpstreamHeaders() throws Exception {
		String repo = repository("rewrite");
		String token = Tokens.forRepo(repo).claim("sub", session()).sign();
		byte[] content = random(2000);
		HttpResponse<String> answer = batch(token, repo, "upload", sha256(content), content.length);
		assertThat(answer.statusCode()).isEqualTo(200);
		assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("application/vnd.git-lfs+json"));
		assertThat(answer.body()).doesNotContain("RemoteAuth", "lfs-storage", ":" + upstream.baseUrl().getPort() + "/",
				"header");
		JsonNode object = JSON.readTree(answer.body()).get("objects").get(0);
		assertThat(object.get("authenticated").asBoolean()).isTrue();
		for (String action : List.of("upload", "verify")) {
			JsonNode node = object.get("actions").get(action);
			assertThat(node.get("href").asString()).startsWith(base() + "/" + repo + ".git/info/lfs/transfer/" + sha256(content));
			assertThat(node.get("expires_in").asLong()).isBetween(1L, 300L);
			assertThat(Instant.parse(node.get("expires_at").asString())).isBefore(Instant.now().plusSeconds(301));
		}
	}

	@Test
	void tamperedUploadsAreRefusedAndNothingIsStored() throws Exception {
		String repo = repository("tamper");
		String token = Tokens.forRepo(repo).claim("sub", session()).sign();
		byte[] content = random(200 * 1024);
		String oid = sha256(content);
		HttpResponse<String> answer = batch(token, repo, "upload", oid, content.length);
		String upload = href(answer, "upload");
		String verify = href(answer, "verify");

		byte[] wrong = content.clone();
		wrong[wrong.length - 1] ^= 1;
		HttpResponse<String> wrongContent = put(upload, wrong);
		assertThat(wrongContent.statusCode()).isEqualTo(400);
		assertThat(JSON.readTree(wrongContent.body()).get("message").asString())
			.isEqualTo("git-warden: LFS upload refused: the content's SHA-256 is not the object id; upload the object's exact content");
		HttpResponse<String> shorter = put(upload, java.util.Arrays.copyOf(content, content.length - 1));
		assertThat(shorter.statusCode()).isEqualTo(400);
		assertThat(shorter.body()).contains("the body has " + (content.length - 1) + " bytes, the object " + content.length);
		// chunked, so git-warden cannot refuse it from its length: streamed, then aborted one byte short
		HttpResponse<String> longer = this.http.send(HttpRequest.newBuilder(URI.create(upload))
			.PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(
					java.util.Arrays.copyOf(content, content.length + 10))))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(longer.statusCode()).isEqualTo(400);
		assertThat(longer.body()).contains("the body is larger than the object's size");
		HttpResponse<String> chunkedWrong = this.http.send(HttpRequest.newBuilder(URI.create(upload))
			.PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(wrong)))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(chunkedWrong.statusCode()).isEqualTo(400);
		assertThat(stored(repo, oid)).doesNotExist();
		// the upstream's partial file: it deletes it when it notices the abort, which can be a moment after
		// git-warden has answered the client
		assertThat(Eventually.await(LfsIntegrationTests::tempFiles, (count) -> count == 0)).isZero();

		// a failed upload does not spend its URL: the real content goes through, once
		assertThat(put(upload, content).statusCode()).isEqualTo(200);
		assertThat(stored(repo, oid)).hasBinaryContent(content);
		HttpResponse<String> again = put(upload, content);
		assertThat(again.statusCode()).isEqualTo(403);
		assertThat(again.body()).contains("LFS transfer URL already used");
		HttpResponse<String> verified = this.http.send(HttpRequest.newBuilder(URI.create(verify))
			.header("Content-Type", "application/vnd.git-lfs+json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"oid\":\"" + oid + "\",\"size\":" + content.length + "}"))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(verified.statusCode()).as(verified.body()).isEqualTo(200);

		String download = href(batch(token, repo, "download", oid, content.length), "download");
		HttpResponse<byte[]> first = get(download);
		assertThat(first.statusCode()).isEqualTo(200);
		assertThat(first.body()).isEqualTo(content);
		HttpResponse<byte[]> reused = get(download);
		assertThat(reused.statusCode()).isEqualTo(403);
		assertThat(new String(reused.body(), StandardCharsets.UTF_8)).contains("LFS transfer URL already used");
	}

	@Test
	void expiredForgedAndMisusedTransferUrlsAreRefused() throws Exception {
		String repo = repository("expired");
		byte[] content = random(1000);
		String oid = sha256(content);
		TransferTokens tokens = new TransferTokens(SIGNING_KEY.getBytes(StandardCharsets.UTF_8), Clock.systemUTC());
		TransferTokens.Upstream target = new TransferTokens.Upstream(URI.create(upstream.baseUrl() + "/lfs-storage/x"), Map.of());
		String expired = tokens.issue(new TransferTokens.Claims(tokens.newId(), TransferTokens.Operation.DOWNLOAD, oid,
				content.length, RepositoryId.parse(repo), "s", null, Instant.now().minusSeconds(1)), target);
		String url = base() + "/" + repo + ".git/info/lfs/transfer/" + oid + "?token=";
		HttpResponse<byte[]> late = get(url + expired);
		assertThat(late.statusCode()).isEqualTo(403);
		assertThat(JSON.readTree(late.body()).get("message").asString())
			.isEqualTo("git-warden: LFS transfer URL expired; let git lfs ask for a new transfer URL (batch API)");

		String valid = tokens.issue(new TransferTokens.Claims(tokens.newId(), TransferTokens.Operation.DOWNLOAD, oid,
				content.length, RepositoryId.parse(repo), "s", null, Instant.now().plusSeconds(60)), target);
		String forged = valid.substring(0, 10) + ((valid.charAt(10) == 'A') ? 'B' : 'A') + valid.substring(11);
		assertThat(new String(get(url + forged).body(), StandardCharsets.UTF_8)).contains("bad signature");
		TransferTokens otherKey = new TransferTokens(random(32), Clock.systemUTC());
		String foreign = otherKey.issue(new TransferTokens.Claims(otherKey.newId(), TransferTokens.Operation.DOWNLOAD,
				oid, content.length, RepositoryId.parse(repo), "s", null, Instant.now().plusSeconds(60)), target);
		assertThat(get(url + foreign).statusCode()).isEqualTo(403);
		assertThat(put(url + valid, content).body()).contains("it allows only download, not upload");
		String otherObject = base() + "/" + repo + ".git/info/lfs/transfer/" + sha256(random(10)) + "?token=" + valid;
		assertThat(new String(get(otherObject).body(), StandardCharsets.UTF_8)).contains("issued for another object");
		assertThat(get(base() + "/" + repo + ".git/info/lfs/transfer/" + oid).statusCode()).isEqualTo(403);
	}

	@Test
	void locksNeedPushAndCannotBeForceDeleted() throws Exception {
		String repo = repository("locks");
		String session = session();
		String token = Tokens.forRepo(repo).claim("sub", session).sign();
		Path work = cloneRepo(token, repo);
		commitLfsFile(work, "design.bin", random(1000));
		git.run(work, "push", "-q", "origin", "HEAD:agent/work").assertSuccess();
		GitCli.Result lock = git.run(work, "lfs", "lock", "design.bin");
		assertThat(lock.exitCode()).as(lock.stderr()).isZero();
		assertThat(git.run(work, "lfs", "locks").assertSuccess().stdout()).contains("design.bin");
		GitCli.Result force = git.run(work, "lfs", "unlock", "--force", "design.bin");
		assertThat(force.exitCode()).isNotZero();
		assertThat(force.stderr() + force.stdout()).contains("git-warden: LFS locks may not be force-deleted through git-warden");
		git.run(work, "lfs", "unlock", "design.bin").assertSuccess();
		assertThat(git.run(work, "lfs", "locks").assertSuccess().stdout()).doesNotContain("design.bin");

		String fetchOnly = Tokens.forRepo(repo).claim("sub", session()).claim("scope", "fetch").sign();
		Path reader = cloneRepo(fetchOnly, repo);
		GitCli.Result list = git.run(reader, "lfs", "locks");
		assertThat(list.exitCode()).isNotZero();
		assertThat(list.stderr() + list.stdout()).contains("lacks the 'push' scope");

		List<JsonNode> events = awaitEvents(session, (found) -> found.stream()
			.filter((e) -> "lfs-lock".equals(e.path("operation").asString(""))
					&& "unlock".equals(e.path("lfs").path("action").asString("")))
			.count() >= 2);
		JsonNode created = events.stream()
			.filter((e) -> "create".equals(e.path("lfs").path("action").asString("")))
			.findFirst()
			.orElseThrow();
		assertThat(created.path("lfs").path("lockPath").asString()).isEqualTo("design.bin");
		assertThat(created.path("lfs").path("lockId").asString()).isNotBlank();
		JsonNode forced = events.stream()
			.filter((e) -> "unlock".equals(e.path("lfs").path("action").asString(""))
					&& "denied".equals(e.path("decision").asString("")))
			.findFirst()
			.orElseThrow();
		assertThat(forced.path("reason").path("code").asString()).isEqualTo("lfs-lock-force");
	}

	@Test
	void objectsOverTheLimitsAreRefusedWithAMessageGitLfsPrints() throws Exception {
		String repo = repository("limits");
		String token = Tokens.forRepo(repo).claim("sub", session()).sign();
		Path work = cloneRepo(token, repo);
		byte[] large = random((int) MAX_OBJECT + 1);
		commitLfsFile(work, "large.bin", large);
		GitCli.Result push = git.run(work, "push", "origin", "HEAD:agent/work");
		assertThat(push.exitCode()).isNotZero();
		assertThat(push.stderr()).contains("git-warden: LFS object " + sha256(large).substring(0, 12)
				+ " is larger than 256KB (warden.lfs.max-object-size)");
		assertThat(stored(repo, sha256(large))).doesNotExist();

		String quotaRepo = repository("quota");
		String quotaToken = Tokens.forRepo(quotaRepo).claim("sub", session()).sign();
		Path quotaWork = cloneRepo(quotaToken, quotaRepo);
		List<byte[]> files = List.of(random(150 * 1024), random(150 * 1024), random(150 * 1024));
		for (int i = 0; i < files.size(); i++) {
			commitLfsFile(quotaWork, "part-" + i + ".bin", files.get(i));
		}
		GitCli.Result quota = git.run(quotaWork, "push", "origin", "HEAD:agent/work");
		assertThat(quota.exitCode()).isNotZero();
		assertThat(quota.stderr()).contains("git-warden: this session may upload at most 400KB of LFS objects");
		long storedCount = files.stream().filter((file) -> {
			try {
				return Files.exists(stored(quotaRepo, sha256(file)));
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		}).count();
		assertThat(storedCount).isEqualTo(2);
	}

	@Test
	void wrongRequestsGetLfsErrorsAndGitPathsStayWithGit() throws Exception {
		String repo = repository("edges");
		HttpResponse<String> anonymous = this.http.send(
				HttpRequest.newBuilder(URI.create(base() + "/" + repo + ".git/info/lfs/objects/batch"))
					.header("Content-Type", "application/vnd.git-lfs+json")
					.POST(HttpRequest.BodyPublishers.ofString("{}"))
					.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(anonymous.statusCode()).isEqualTo(401);
		assertThat(anonymous.headers().firstValue("LFS-Authenticate")).hasValue("Basic realm=\"git-warden\"");
		assertThat(JSON.readTree(anonymous.body()).get("documentation_url").asString()).endsWith("docs/lfs.md");

		String token = Tokens.forRepo(repo).claim("sub", session()).sign();
		HttpResponse<String> notJson = this.http.send(
				HttpRequest.newBuilder(URI.create(base() + "/" + repo + "/info/lfs/objects/batch"))
					.header("Authorization", "Bearer " + token)
					.header("Content-Type", "application/vnd.git-lfs+json")
					.POST(HttpRequest.BodyPublishers.ofString("{\"operation\":\"download\"}"))
					.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(notJson.statusCode()).isEqualTo(400);
		assertThat(notJson.body()).contains("a batch request names its objects");
		HttpResponse<String> get = this.http.send(
				HttpRequest.newBuilder(URI.create(base() + "/" + repo + ".git/info/lfs/objects/batch"))
					.header("Authorization", "Bearer " + token)
					.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(get.statusCode()).isEqualTo(404);
		assertThat(get.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("application/vnd.git-lfs+json"));

		// not LFS endpoints: the git endpoint answers them as before
		HttpResponse<String> unknown = this.http.send(
				HttpRequest.newBuilder(URI.create(base() + "/" + repo + ".git/info/lfs/objects/other"))
					.header("Authorization", "Bearer " + token)
					.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(unknown.statusCode()).isEqualTo(404);
		assertThat(unknown.body()).startsWith("git-warden: not a git smart-HTTP endpoint");
		HttpResponse<String> nested = this.http.send(HttpRequest
			.newBuilder(URI.create(base() + "/acme/info/lfs/objects.git/info/refs?service=git-upload-pack"))
			.header("Authorization", "Bearer " + token)
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(nested.statusCode()).isEqualTo(403);
		assertThat(nested.body()).startsWith("git-warden: this session may not access acme/info/lfs/objects");
	}

	@Test
	void aRevokedSessionsTransferUrlsStopWorking() throws Exception {
		String repo = repository("revoked");
		String session = session();
		String token = Tokens.forRepo(repo).claim("sub", session).sign();
		byte[] content = random(4000);
		String upload = href(batch(token, repo, "upload", sha256(content), content.length), "upload");
		HttpResponse<String> revoked = this.http.send(
				HttpRequest.newBuilder(URI.create(base() + "/admin/v1/sessions/" + session + "/revoke"))
					.header("Authorization", "Bearer " + ADMIN_TOKEN)
					.POST(HttpRequest.BodyPublishers.noBody())
					.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(revoked.statusCode()).as(revoked.body()).isBetween(200, 204);
		HttpResponse<String> refused = put(upload, content);
		assertThat(refused.statusCode()).isEqualTo(401);
		assertThat(refused.body()).contains("session revoked");
		assertThat(stored(repo, sha256(content))).doesNotExist();
	}

}
