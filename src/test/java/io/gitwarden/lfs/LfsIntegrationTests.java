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

	static final String SIGNING_KEY = "lfs-test-signing-key-0123456789-abcdefghijklmnop";

	static final long MAX_OBJECT = 256 * 1024;

	static final long SESSION_QUOTA = 400 * 1024;

	static final JsonMapper JSON = JsonMapper.builder().build();

	static Path scratch;

	static GitCli git;

	static TestRepositories repositories;

	static Path auditFile;

	static EmbeddedGitServer upstream;

	final HttpClient http = HttpClient.newHttpClient();

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

}
