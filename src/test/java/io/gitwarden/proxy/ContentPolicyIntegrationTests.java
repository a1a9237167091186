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
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.gitwarden.testsupport.Eventually;
import io.gitwarden.testsupport.GitCli;
import io.gitwarden.testsupport.GitCli.Result;
import io.gitwarden.testsupport.GitHttpBackendServer;
import io.gitwarden.testsupport.TestRepositories;
import io.gitwarden.testsupport.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.util.FileSystemUtils;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Content policy end to end: the real git CLI pushes through git-warden to git http-backend, and what the
 * pushes carry is inspected against the repository mirror. Every rule is shown refusing (nothing reaches
 * the upstream, git prints the reason and the finding) and allowing, and the mirror is fetched once per
 * repository however many pushes arrive at once.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ContentPolicyIntegrationTests {

	static final String BRANCH = "agent/work";

	static final JsonMapper JSON = JsonMapper.builder().build();

	static Path scratch;

	static Path mirrors;

	static Path auditFile;

	static GitCli git;

	static TestRepositories repositories;

	static GitHttpBackendServer upstream;

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		scratch = Files.createTempDirectory("warden-policy-it");
		mirrors = scratch.resolve("mirrors");
		auditFile = scratch.resolve("audit.jsonl");
		git = new GitCli(scratch.resolve("home"));
		repositories = new TestRepositories(git, Files.createDirectories(scratch.resolve("repos")), scratch);
		upstream = GitHttpBackendServer.start(repositories.root(), "ghs_policy-token");
		registry.add("warden.upstream.url", () -> upstream.baseUrl().toString());
		registry.add("warden.upstream.token", () -> "ghs_policy-token");
		registry.add("warden.auth.hmac-secret", () -> Tokens.SECRET);
		registry.add("warden.mirror.dir", mirrors::toString);
		registry.add("warden.audit.file", auditFile::toString);
		registry.add("warden.policy.max-file-size", () -> "256KB");
		registry.add("warden.policy.commit-email", () -> ".*@example\\.invalid");
	}

	@AfterAll
	static void stop() {
		upstream.close();
	}

	String repository() {
		String repo = "acme/policy-" + UUID.randomUUID().toString().substring(0, 8);
		repositories.create(repo, 2);
		return repo;
	}

	String url(String repo, String session) {
		String token = Tokens.forRepo(repo).claim("sub", session).sign();
		return "http://x:" + token + "@127.0.0.1:" + this.port + "/" + repo + ".git";
	}

	Path cloneRepo(String repo, String session) {
		Path work = scratch.resolve("w-" + UUID.randomUUID());
		git.run(scratch, "clone", "-q", url(repo, session), work.toString()).assertSuccess();
		git.run(work, "config", "user.email", "agent@example.invalid").assertSuccess();
		git.run(work, "config", "user.name", "agent").assertSuccess();
		return work;
	}

	static void commit(Path work, String path, String content) throws IOException {
		Path file = work.resolve(path);
		Files.createDirectories(file.getParent());
		Files.writeString(file, content);
		git.run(work, "add", "-A").assertSuccess();
		git.run(work, "commit", "-q", "-m", "change " + path).assertSuccess();
	}

	Result push(Path work) {
		return git.run(work, "push", "origin", "HEAD:" + BRANCH);
	}

	/**
	 * The mirror's fetches of a repository: each starts with JGit's {@code GET info/refs} (then a gzipped
	 * {@code ls-refs} and {@code fetch}).
	 */
	static long mirrorFetches(String repo) {
		return upstream.seen()
			.stream()
			.filter((seen) -> seen.method().equals("GET") && seen.path().equals("/" + repo + ".git/info/refs")
					&& seen.userAgent() != null && seen.userAgent().startsWith("JGit"))
			.count();
	}

	static long receivePacks(String repo) {
		return upstream.seen()
			.stream()
			.filter((seen) -> seen.method().equals("POST") && seen.path().equals("/" + repo + ".git/git-receive-pack"))
			.count();
	}

	static List<JsonNode> events(String session) throws IOException {
		List<JsonNode> events = new ArrayList<>();
		for (String line : Files.readAllLines(auditFile)) {
			JsonNode event = JSON.readTree(line);
			if (event.has("session") && session.equals(event.get("session").asString())) {
				events.add(event);
			}
		}
		return events;
	}

	static JsonNode lastPush(String session) throws IOException {
		List<JsonNode> pushes = Eventually.await(() -> events(session).stream()
			.filter((e) -> "push".equals(e.get("operation").asString()) && e.has("updates"))
			.toList(), (found) -> !found.isEmpty());
		return pushes.get(pushes.size() - 1);
	}

	@Test
	void aWorkflowFileIsRefusedWithThePathAndNothingReachesTheUpstream() throws IOException {
		String repo = repository();
		String session = "s-" + UUID.randomUUID();
		Path work = cloneRepo(repo, session);
		String before = repositories.refs(repo);
		commit(work, ".github/workflows/ci.yml", "on: push\njobs: {}\n");
		Result push = push(work);
		assertThat(push.exitCode()).isNotZero();
		assertThat(push.stderr()).contains("remote: git-warden: this push changes a protected path")
			.contains("protected-path: .github/workflows/ci.yml added")
			.contains("[remote rejected] HEAD -> agent/work (git-warden: this push changes a protected path)");
		assertThat(repositories.refs(repo)).isEqualTo(before);
		JsonNode event = lastPush(session);
		assertThat(event.get("decision").asString()).isEqualTo("denied");
		assertThat(event.get("reason").get("code").asString()).isEqualTo("protected-path");
		assertThat(event.get("findings").get(0).get("path").asString()).isEqualTo(".github/workflows/ci.yml");
		assertThat(event.get("policy").get("commitsInspected").asInt()).isOne();
	}

	@Test
	void ordinaryChangesPassAndTheNextPushNeedsNoFetch() throws IOException {
		String repo = repository();
		String session = "s-" + UUID.randomUUID();
		Path work = cloneRepo(repo, session);
		// ordinary text that looks a little like secrets: the word password, a 40-hex id, AKIA in prose
		commit(work, "notes.md", "Set the password in the vault.\nFixed in 4b825dc642cb6eb9a060e54bf8d69288fbee4904.\n"
				+ "The AKIA prefix marks AWS access key ids.\n");
		push(work).assertSuccess();
		assertThat(repositories.resolve(repo, "refs/heads/" + BRANCH)).isEqualTo(head(work));
		assertThat(mirrorFetches(repo)).isOne();
		commit(work, "more.md", "more\n");
		push(work).assertSuccess();
		// the first push's objects entered the mirror when the upstream accepted them: no second fetch
		assertThat(mirrorFetches(repo)).isOne();
		JsonNode event = lastPush(session);
		assertThat(event.get("decision").asString()).isEqualTo("allowed");
		assertThat(event.get("policy").get("mirror").asString()).isEqualTo("hit");
		assertThat(event.get("policy").get("blobsScanned").asInt()).isPositive();
	}

	@Test
	void aSecretAddedThenRemovedInOnePushIsStillRefusedAndNeverShown() throws IOException {
		String repo = repository();
		String session = "s-" + UUID.randomUUID();
		Path work = cloneRepo(repo, session);
		String secret = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8";
		commit(work, "config.py", "# settings\nTOKEN = \"" + secret + "\"\n");
		commit(work, "config.py", "# settings\nTOKEN = os.environ[\"TOKEN\"]\n");
		Result push = push(work);
		assertThat(push.exitCode()).isNotZero();
		assertThat(push.stderr()).contains("remote: git-warden: this push adds a secret")
			.contains("secret-detected: github-pat in config.py:2")
			.contains("starts 'ghp_'")
			.doesNotContain(secret.substring(4));
		assertThat(Files.readString(auditFile)).doesNotContain(secret.substring(4));
		assertThat(repositories.refs(repo)).doesNotContain(BRANCH);
	}

	@Test
	void aFileOverTheSizeLimitIsRefused() throws IOException {
		String repo = repository();
		Path work = cloneRepo(repo, "s-" + UUID.randomUUID());
		byte[] random = new byte[300 * 1024];
		new Random(3).nextBytes(random);
		Files.write(work.resolve("big.bin"), random);
		git.run(work, "add", "-A").assertSuccess();
		git.run(work, "commit", "-q", "-m", "big").assertSuccess();
		Result push = push(work);
		assertThat(push.exitCode()).isNotZero();
		assertThat(push.stderr()).contains("git-warden: this push adds a file larger than 256KB");
	}

	@Test
	void aCommitByAnotherEmailIsRefused() throws IOException {
		String repo = repository();
		Path work = cloneRepo(repo, "s-" + UUID.randomUUID());
		Files.writeString(work.resolve("x.txt"), "x\n");
		git.run(work, "add", "-A").assertSuccess();
		git.run(work, "-c", "user.email=someone@evil.example", "commit", "-q", "-m", "x").assertSuccess();
		Result push = push(work);
		assertThat(push.exitCode()).isNotZero();
		assertThat(push.stderr()).contains("commit-email: author email 'someone@evil.example'");
	}

	@Test
	void anAllowedForcePushKeepsTheOverwrittenTipAndRecordsIt() throws IOException {
		String repo = repository();
		String session = "s-" + UUID.randomUUID();
		Path work = cloneRepo(repo, session);
		commit(work, "a.txt", "a\n");
		push(work).assertSuccess();
		String overwritten = head(work);
		git.run(work, "reset", "-q", "--hard", "HEAD~1").assertSuccess();
		commit(work, "b.txt", "b\n");
		git.run(work, "push", "-f", "origin", "HEAD:" + BRANCH).assertSuccess();
		JsonNode update = lastPush(session).get("updates").get(0);
		assertThat(update.get("forced").asBoolean()).isTrue();
		assertThat(update.get("overwritten").asString()).isEqualTo(overwritten);
		// kept reachable in the mirror, so a person's commits an agent overwrote can be recovered
		Path mirror = mirrors.resolve(repo + ".git");
		String kept = Eventually.await(() -> git.run(scratch, "--git-dir=" + mirror, "for-each-ref",
				"--format=%(objectname)", "refs/warden/overwritten/").stdout(), (out) -> !out.isBlank());
		assertThat(kept).contains(overwritten);
	}

	@Test
	void concurrentFirstPushesToOneRepositoryFetchItOnce() throws Exception {
		String repo = repository();
		List<Path> works = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			Path work = cloneRepo(repo, "s-" + i + "-" + UUID.randomUUID());
			commit(work, "f" + i + ".txt", "f" + i + "\n");
			works.add(work);
		}
		// five sessions, each with a branch of its own, push to a repository git-warden has not seen yet
		ExecutorService pool = Executors.newFixedThreadPool(5);
		try {
			List<Future<Result>> pushes = new ArrayList<>();
			for (int i = 0; i < works.size(); i++) {
				Path work = works.get(i);
				String session = "c-" + i;
				String token = Tokens.forRepo(repo).claim("sub", session).claim("branch", "agent/c" + i).sign();
				String target = "http://x:" + token + "@127.0.0.1:" + this.port + "/" + repo + ".git";
				int n = i;
				pushes.add(pool.submit(() -> git.run(work, "push", target, "HEAD:refs/heads/agent/c" + n)));
			}
			for (Future<Result> push : pushes) {
				push.get().assertSuccess();
			}
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(mirrorFetches(repo)).isOne();
	}

	@Test
	void aDeletedMirrorIsFetchedAgain() throws IOException {
		String repo = repository();
		Path work = cloneRepo(repo, "s-" + UUID.randomUUID());
		commit(work, "a.txt", "a\n");
		push(work).assertSuccess();
		FileSystemUtils.deleteRecursively(mirrors.resolve(repo + ".git"));
		commit(work, "b.txt", "b\n");
		push(work).assertSuccess();
		assertThat(mirrorFetches(repo)).isEqualTo(2);
	}

	@Test
	void aCorruptPackOrAnUnreferencedObjectIsRefusedNotForwarded() throws Exception {
		String repo = repository();
		String session = "s-" + UUID.randomUUID();
		Path work = cloneRepo(repo, session);
		String old = repositories.resolve(repo, "refs/heads/main");
		commit(work, "a.txt", "a\n");
		String tip = head(work);
		long before = receivePacks(repo);
		// a pack whose bytes were changed after it was made
		byte[] pack = packOf(work, tip + "\n^" + old + "\n", null);
		pack[pack.length / 2] ^= 0x5a;
		String corrupt = receivePack(repo, session, old, tip, pack);
		assertThat(corrupt).contains("ng refs/heads/agent/work git-warden: this push could not be inspected");
		// a pack that also carries a blob the pushed commit does not reach
		String blob = git.run(work, "hash-object", "-w", "--stdin").stdout().trim();
		byte[] withBlob = packOf(work, tip + "\n^" + old + "\n", blob);
		String unreferenced = receivePack(repo, session, old, tip, withBlob);
		assertThat(unreferenced).contains("ng refs/heads/agent/work git-warden: the pack carries objects that no pushed ref reaches");
		assertThat(receivePacks(repo)).as("pushes forwarded upstream").isEqualTo(before);
	}

	String head(Path work) {
		return git.run(work, "rev-parse", "HEAD").assertSuccess().stdout().trim();
	}

	/** A pack of the revisions given (as {@code git pack-objects --revs} reads them), plus one extra object. */
	static byte[] packOf(Path work, String revisions, String extra) throws Exception {
		ProcessBuilder builder = new ProcessBuilder("git", "pack-objects", "--stdout", "--revs", "--thin");
		builder.directory(work.toFile());
		builder.environment().put("HOME", scratch.resolve("home").toString());
		Process process = builder.start();
		process.getOutputStream().write(revisions.getBytes(StandardCharsets.US_ASCII));
		process.getOutputStream().close();
		byte[] pack = process.getInputStream().readAllBytes();
		process.waitFor();
		if (extra == null) {
			return pack;
		}
		// re-pack with the extra object listed explicitly
		ProcessBuilder all = new ProcessBuilder("git", "pack-objects", "--stdout");
		all.directory(work.toFile());
		Process list = new ProcessBuilder("git", "rev-list", "--objects", revisions.trim().split("\n")[0],
				"--not", revisions.trim().split("\n")[1].substring(1)).directory(work.toFile()).start();
		String objects = new String(list.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
		list.waitFor();
		Process packed = all.start();
		packed.getOutputStream().write((objects + extra + "\n").getBytes(StandardCharsets.US_ASCII));
		packed.getOutputStream().close();
		byte[] result = packed.getInputStream().readAllBytes();
		packed.waitFor();
		return result;
	}

	String receivePack(String repo, String session, String old, String tip, byte[] pack) throws Exception {
		String command = old + " " + tip + " refs/heads/" + BRANCH + "\0report-status";
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		body.write((String.format("%04x", command.length() + 4) + command + "0000").getBytes(StandardCharsets.ISO_8859_1));
		body.write(pack);
		String token = Tokens.forRepo(repo).claim("sub", session).sign();
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/" + repo + ".git/git-receive-pack"))
				.header("Authorization",
						"Basic " + Base64.getEncoder().encodeToString(("x:" + token).getBytes(StandardCharsets.UTF_8)))
				.header("Content-Type", "application/x-git-receive-pack-request")
				.POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
				.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.ISO_8859_1));
		assertThat(response.statusCode()).isEqualTo(200);
		return response.body();
	}

}
