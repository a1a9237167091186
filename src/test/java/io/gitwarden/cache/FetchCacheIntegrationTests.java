package io.gitwarden.cache;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.gitwarden.mirror.Mirror;
import io.gitwarden.mirror.RepositoryMirrors;
import io.gitwarden.protocol.RepositoryId;
import io.gitwarden.testsupport.Eventually;
import io.gitwarden.testsupport.GitHttpBackendServer;
import io.gitwarden.testsupport.GitHttpBackendServer.Seen;
import io.gitwarden.testsupport.ProtocolV2;
import io.micrometer.core.instrument.MeterRegistry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.PacketLineOut;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fetch cache end to end: the real git CLI through git-warden, with {@code git http-backend} as the
 * upstream (which records every request that reaches it). Clones and fetches served from the mirror are
 * the same history as direct clones (protocol v0, v1, v2, shallow, partial with lazy fetches,
 * incremental), follow the upstream's pushes and deletions, cost the upstream only the advertisement once
 * the mirror is warm, share one upstream fetch when they race, and never hand out another repository's
 * objects nor anything under {@code refs/warden/}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class FetchCacheIntegrationTests {

	static final String UPSTREAM_TOKEN = "ghs_cache-upstream-token";

	static CacheFixture fixture;

	static GitHttpBackendServer upstream;

	@LocalServerPort
	int port;

	@Autowired
	MeterRegistry registry;

	@Autowired
	MirrorRefresher refresher;

	@Autowired
	RepositoryMirrors mirrors;

	final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	String repo;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		fixture = new CacheFixture("warden-cache-it");
		upstream = GitHttpBackendServer.start(fixture.repositories.root(), UPSTREAM_TOKEN);
		registry.add("warden.upstream.url", () -> upstream.baseUrl().toString());
		registry.add("warden.upstream.token", () -> UPSTREAM_TOKEN);
		registry.add("warden.auth.hmac-secret", () -> io.gitwarden.testsupport.Tokens.SECRET);
		registry.add("warden.audit.file", fixture.auditFile::toString);
	}

	@AfterAll
	static void stop() {
		upstream.close();
	}

	@BeforeEach
	void createRepository(TestInfo info) {
		String method = info.getTestMethod().orElseThrow().getName().toLowerCase();
		this.repo = "acme/" + method + "-" + Math.abs(info.getDisplayName().hashCode());
		fixture.createUpstream(this.repo);
	}

	@ParameterizedTest(name = "protocol v{0}")
	@ValueSource(ints = { 0, 1, 2 })
	void aCloneIsServedFromTheMirrorAndEqualsADirectClone(int version) throws Exception {
		double missesBefore = requests("miss");
		double hitsBefore = requests("hit");
		int seenBefore = upstream.seen().size();

		Path cold = fixture.clone(this.port, this.repo, version);

		fixture.fsck(cold);
		assertThat(fixture.tips(cold)).isEqualTo(fixture.tips(fixture.directClone(this.repo)))
			.containsKeys("refs/remotes/origin/main", "refs/remotes/origin/feature", "refs/tags/v1");
		assertThat(requests("miss") - missesBefore).as("the cold clone filled the mirror").isEqualTo(1);
		List<Seen> coldSeen = since(seenBefore);
		assertThat(clientFetches(coldSeen)).as("no fetch of the client reached the upstream").isEmpty();
		assertThat(mirrorFetches(coldSeen)).as("one upstream fetch into the mirror").hasSize(1);

		settle();
		int warmBefore = upstream.seen().size();
		Path warm = fixture.clone(this.port, this.repo, version);

		fixture.fsck(warm);
		assertThat(fixture.tips(warm)).isEqualTo(fixture.tips(cold));
		assertThat(requests("hit") - hitsBefore).isEqualTo(1);
		List<Seen> warmSeen = since(warmBefore);
		// the upstream answered the advertisement, and nothing else
		assertThat(warmSeen).allSatisfy((request) -> assertThat(isAdvertisement(request)).as(request.toString()).isTrue());
		assertThat(warmSeen).hasSize((version == 2) ? 2 : 1);
		assertThat(Eventually.await(() -> fixture.cacheResults(this.repo), (results) -> results.size() >= 2))
			.containsExactly("miss", "hit");
		assertThat(fixture.cacheEvents(this.repo).get(1).path("cacheWaitMs").isNumber()).isTrue();
		assertThat(fixture.cacheEvents(this.repo).get(1).has("upstreamStatus")).isFalse();
	}

	@ParameterizedTest(name = "protocol v{0}")
	@ValueSource(ints = { 0, 1, 2 })
	void aShallowCloneIsServedFromTheMirrorAndDeepens(int version) {
		Path shallow = fixture.clone(this.port, this.repo, version, "--depth", "1");

		assertThat(fixture.git.run(shallow, "rev-parse", "--is-shallow-repository").stdout().trim()).isEqualTo("true");
		assertThat(fixture.git.run(shallow, "rev-list", "--count", "HEAD").stdout().trim()).isEqualTo("1");
		assertThat(fixture.rev(shallow, "HEAD")).isEqualTo(fixture.repositories.resolve(this.repo, "refs/heads/main"));
		fixture.fsck(shallow);

		settle();
		int before = upstream.seen().size();
		fixture.git.run(shallow, "-c", "protocol.version=" + version, "fetch", "-q", "--unshallow").assertSuccess();
		assertThat(fixture.git.run(shallow, "rev-list", "--count", "HEAD").stdout().trim()).isEqualTo("3");
		fixture.fsck(shallow);
		assertThat(clientFetches(since(before))).as("deepening is served by the mirror").isEmpty();
		assertThat(Eventually.await(() -> fixture.cacheResults(this.repo), (results) -> results.size() >= 2))
			.doesNotContain("bypass");
	}

	@ParameterizedTest(name = "protocol v{0}")
	@ValueSource(ints = { 0, 2 })
	void aPartialCloneAndItsLazyBlobFetchesAreServedFromTheMirror(int version) {
		int before = upstream.seen().size();
		Path partial = fixture.clone(this.port, this.repo, version, "--filter=blob:none", "--no-checkout");
		// the lazy fetches speak the same protocol version as the clone
		fixture.git.run(partial, "config", "protocol.version", String.valueOf(version)).assertSuccess();
		String missing = fixture.git.run(partial, "rev-list", "--objects", "--all", "--missing=print").stdout();
		assertThat(missing).as("blobs are left out of a partial clone").contains("?");

		// checking out and reading history fetches the blobs lazily, by id, from the mirror
		fixture.git.run(partial, "reset", "-q", "--hard", "HEAD").assertSuccess();
		fixture.git.run(partial, "log", "-p", "--all").assertSuccess();

		assertThat(fixture.git.run(partial, "rev-list", "--objects", "--all", "--missing=print").stdout())
			.doesNotContain("?");
		fixture.fsck(partial);
		assertThat(fixture.tips(partial)).isEqualTo(fixture.tips(fixture.directClone(this.repo)));
		assertThat(clientFetches(since(before))).as("no fetch of the client reached the upstream").isEmpty();
		List<String> results = Eventually.await(() -> fixture.cacheResults(this.repo), (r) -> r.size() >= 3);
		assertThat(results).as("the clone and at least two lazy fetches").hasSizeGreaterThanOrEqualTo(3)
			.doesNotContain("bypass");
	}

	@ParameterizedTest(name = "protocol v{0}")
	@ValueSource(ints = { 0, 1, 2 })
	void fetchesSeePushesAndDeletionsMadeUpstreamBySomeoneElse(int version) {
		Path clone = fixture.clone(this.port, this.repo, version);
		fixture.repositories.advance(this.repo, "main", "pushed-elsewhere.txt");
		fixture.git.run(fixture.repositories.bare(this.repo), "branch", "-D", "feature").assertSuccess();
		String main = fixture.repositories.resolve(this.repo, "refs/heads/main");

		fixture.git.run(clone, "-c", "protocol.version=" + version, "fetch", "-q", "--prune", "origin").assertSuccess();

		assertThat(fixture.rev(clone, "origin/main")).isEqualTo(main);
		assertThat(fixture.git.run(clone, "branch", "-r").stdout()).doesNotContain("feature");
		fixture.fsck(clone);
		fixture.git.run(clone, "merge", "-q", "--ff-only", "origin/main").assertSuccess();
		assertThat(clone.resolve("pushed-elsewhere.txt")).exists();
		assertThat(Eventually.await(() -> fixture.cacheResults(this.repo), (results) -> results.size() >= 2))
			.as("the incremental fetch updated the mirror, then was served from it")
			.endsWith("miss");

		// a second incremental fetch after another upstream push, into a clone that is now current
		fixture.repositories.advance(this.repo, "main", "again.txt");
		fixture.git.run(clone, "-c", "protocol.version=" + version, "pull", "-q", "--ff-only").assertSuccess();
		assertThat(fixture.rev(clone, "HEAD")).isEqualTo(fixture.repositories.resolve(this.repo, "refs/heads/main"));
		fixture.fsck(clone);
	}

	@Test
	void aBranchDeletedUpstreamIsNoLongerServedFromTheMirror() throws Exception {
		fixture.clone(this.port, this.repo, 0);
		String feature = fixture.repositories.resolve(this.repo, "refs/heads/feature");
		fixture.git.run(fixture.repositories.bare(this.repo), "branch", "-D", "feature").assertSuccess();

		// the next advertisement no longer lists it, and the mirror follows
		String listed = fixture.git.run(fixture.scratch, "ls-remote", CacheFixture.url(this.port, CacheFixture.token(this.repo), this.repo))
			.assertSuccess()
			.stdout();
		assertThat(listed).doesNotContain("refs/heads/feature").contains("refs/heads/main");
		settle();
		try (Mirror mirror = this.mirrors.open(RepositoryId.parse(this.repo))) {
			assertThat(mirror.repository().exactRef("refs/heads/feature")).isNull();
		}

		// asking for its tip by id is not served from the mirror: the upstream answers, and refuses
		HttpResponse<byte[]> response = uploadPack(this.repo, CacheFixture.token(this.repo), v0Fetch(feature), null);
		assertThat(body(response)).doesNotContain("PACK").contains("not our ref");
		assertThat(Eventually.await(() -> fixture.cacheEvents(this.repo), (events) -> events.size() >= 2))
			.last()
			.satisfies((event) -> {
				assertThat(event.path("cache").asString()).isEqualTo("bypass");
				assertThat(event.path("cacheBypass").asString()).isEqualTo("objects-missing");
			});
	}

	@Test
	void twentyClonesRacingAMirrorUpdateShareOneUpstreamFetch() throws Exception {
		raceClones(20, "the cold mirror");
		fixture.repositories.advance(this.repo, "main", "moved.txt");
		raceClones(20, "the mirror behind the upstream");
	}

	private void raceClones(int count, String what) throws Exception {
		settle();
		int before = upstream.seen().size();
		Path direct = fixture.directClone(this.repo);
		ExecutorService pool = Executors.newFixedThreadPool(count);
		CountDownLatch start = new CountDownLatch(1);
		try {
			List<Future<Path>> clones = new ArrayList<>();
			for (int i = 0; i < count; i++) {
				clones.add(pool.submit(() -> {
					start.await();
					return fixture.clone(this.port, this.repo, 0);
				}));
			}
			start.countDown();
			for (Future<Path> clone : clones) {
				Path done = clone.get();
				assertThat(fixture.tips(done)).isEqualTo(fixture.tips(direct));
			}
		}
		finally {
			pool.shutdownNow();
		}
		List<Seen> seen = since(before);
		assertThat(clientFetches(seen)).as(what + ": no clone was forwarded").isEmpty();
		assertThat(mirrorFetches(seen)).as(what + ": one upstream fetch for %d clones", count).hasSize(1);
	}

	@Test
	void aSessionCannotGetAnotherRepositorysObjectsByAskingForTheirIds() throws Exception {
		String other = this.repo + "-secret";
		fixture.createUpstream(other);
		// a commit of its own: the seed commits of two repositories made in the same second are the same objects
		fixture.repositories.advance(other, "main", "secret-" + java.util.UUID.randomUUID() + ".txt");
		fixture.clone(this.port, other, 2);
		String secret = fixture.repositories.resolve(other, "refs/heads/main");
		String myToken = CacheFixture.token(this.repo);

		// the other repository's mirror is warm; this session asks its own repository for the secret commit
		for (byte[] request : List.of(v0Fetch(secret), v2Fetch(secret))) {
			boolean v2 = request[4] == 'c';
			HttpResponse<byte[]> response = uploadPack(this.repo, myToken, request, v2 ? "version=2" : null);
			assertThat(body(response)).as("v" + (v2 ? 2 : 0)).doesNotContain("PACK");
		}
		assertThat(Eventually.await(() -> fixture.cacheResults(this.repo), (results) -> results.size() >= 2))
			.containsExactly("bypass", "bypass");
		try (Mirror mine = this.mirrors.open(RepositoryId.parse(this.repo))) {
			assertThat(mine.repository().getObjectDatabase().has(ObjectId.fromString(secret))).isFalse();
		}

		// and the other repository's warm mirror is behind the same gate as its upstream: refused
		HttpResponse<byte[]> direct = uploadPack(other, myToken, v0Fetch(secret), null);
		assertThat(direct.statusCode()).isEqualTo(403);
		assertThat(body(direct)).doesNotContain("PACK").contains("this session may not access");
		HttpResponse<byte[]> advertisement = this.http.send(
				HttpRequest.newBuilder(URI.create(base(other) + "/info/refs?service=git-upload-pack"))
					.header("Authorization", basic(myToken))
					.build(),
				HttpResponse.BodyHandlers.ofByteArray());
		assertThat(advertisement.statusCode()).isEqualTo(403);
	}

	@Test
	void refsUnderRefsWardenAreNeverServed() throws Exception {
		fixture.clone(this.port, this.repo, 2);
		ObjectId hidden;
		try (Mirror mirror = this.mirrors.open(RepositoryId.parse(this.repo))) {
			hidden = commitOnlyInTheMirror(mirror.repository(), "refs/warden/overwritten/refs/heads/main/1");
		}

		HttpResponse<byte[]> v0 = uploadPack(this.repo, CacheFixture.token(this.repo), v0Fetch(hidden.name()), null);
		assertThat(body(v0)).doesNotContain("PACK");
		HttpResponse<byte[]> v2 = uploadPack(this.repo, CacheFixture.token(this.repo), v2Fetch(hidden.name()),
				"version=2");
		assertThat(body(v2)).doesNotContain("PACK");
		HttpResponse<byte[]> wantRef = uploadPack(this.repo, CacheFixture.token(this.repo),
				ProtocolV2.request("fetch", List.of("want-ref refs/warden/overwritten/refs/heads/main/1", "done")), "version=2");
		assertThat(body(wantRef)).doesNotContain("PACK");
		String listed = fixture.git.run(fixture.scratch, "-c", "protocol.version=2", "ls-remote",
				CacheFixture.url(this.port, CacheFixture.token(this.repo), this.repo)).assertSuccess().stdout();
		assertThat(listed).doesNotContain("refs/warden").contains("refs/heads/main");
		assertThat(Eventually.await(() -> fixture.cacheResults(this.repo), (results) -> results.size() >= 4))
			.containsExactly("miss", "bypass", "bypass", "bypass");
		Path clone = fixture.clone(this.port, this.repo, 2, "--mirror");
		assertThat(fixture.git.run(clone, "cat-file", "-e", hidden.name()).exitCode()).isNotZero();
	}

	@Test
	void gzipFetchRequestsAreServedFromTheMirror() throws Exception {
		fixture.clone(this.port, this.repo, 0);
		String main = fixture.repositories.resolve(this.repo, "refs/heads/main");
		ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
		try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(gzipped)) {
			gzip.write(v0Fetch(main));
		}
		int before = upstream.seen().size();
		HttpResponse<byte[]> response = this.http.send(
				HttpRequest.newBuilder(URI.create(base(this.repo) + "/git-upload-pack"))
					.header("Authorization", basic(CacheFixture.token(this.repo)))
					.header("Content-Type", "application/x-git-upload-pack-request")
					.header("Content-Encoding", "gzip")
					.POST(HttpRequest.BodyPublishers.ofByteArray(gzipped.toByteArray()))
					.build(),
				HttpResponse.BodyHandlers.ofByteArray());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/x-git-upload-pack-result");
		assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-cache");
		assertThat(body(response)).startsWith("0008NAK\n").contains("PACK");
		assertThat(since(before)).isEmpty();
	}

	// ---- helpers ----

	private double requests(String result) {
		return this.registry.counter("warden.cache.requests", "result", result).count();
	}

	/** Waits until the refreshes started by advertisements are done (they run after the response). */
	private void settle() {
		assertThat(Eventually.await(() -> this.refresher.idle(), (idle) -> idle)).isTrue();
	}

	private static List<Seen> since(int before) {
		List<Seen> seen = upstream.seen();
		return seen.subList(before, seen.size());
	}

	private static boolean isAdvertisement(Seen request) {
		return request.method().equals("GET") || text(request).contains("command=ls-refs");
	}

	/** The start of a request body as text, gunzipped as far as it goes (JGit gzips its requests). */
	static String text(Seen request) {
		byte[] start = request.bodyStart().getBytes(StandardCharsets.ISO_8859_1);
		if (start.length < 2 || (start[0] & 0xff) != 0x1f || (start[1] & 0xff) != 0x8b) {
			return request.bodyStart();
		}
		ByteArrayOutputStream decoded = new ByteArrayOutputStream();
		try (java.util.zip.GZIPInputStream in = new java.util.zip.GZIPInputStream(
				new java.io.ByteArrayInputStream(start))) {
			byte[] buffer = new byte[512];
			for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
				decoded.write(buffer, 0, n);
			}
		}
		catch (IOException ex) {
			// only the first bytes were recorded: what was inflated so far is enough
		}
		return decoded.toString(StandardCharsets.ISO_8859_1);
	}

	/** Fetches the mirror made (JGit's agent); git's own would show up in {@link #clientFetches}. */
	private static List<Seen> mirrorFetches(List<Seen> seen) {
		return seen.stream()
			.filter((request) -> request.method().equals("POST") && text(request).contains("command=fetch")
					&& text(request).contains("agent=JGit"))
			.toList();
	}

	private static List<Seen> clientFetches(List<Seen> seen) {
		return seen.stream()
			.filter((request) -> request.method().equals("POST") && !text(request).contains("command=ls-refs")
					&& !text(request).contains("agent=JGit"))
			.toList();
	}

	private String base(String repository) {
		return "http://127.0.0.1:" + this.port + "/" + repository + ".git";
	}

	private static String basic(String token) {
		return "Basic " + Base64.getEncoder().encodeToString(("x:" + token).getBytes(StandardCharsets.UTF_8));
	}

	private HttpResponse<byte[]> uploadPack(String repository, String token, byte[] body, String gitProtocol)
			throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base(repository) + "/git-upload-pack"))
			.header("Authorization", basic(token))
			.header("Content-Type", "application/x-git-upload-pack-request")
			.POST(HttpRequest.BodyPublishers.ofByteArray(body));
		if (gitProtocol != null) {
			request.header("Git-Protocol", gitProtocol);
		}
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
	}

	private static String body(HttpResponse<byte[]> response) {
		return new String(response.body(), StandardCharsets.ISO_8859_1);
	}

	private static byte[] v0Fetch(String want) throws IOException {
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		PacketLineOut out = new PacketLineOut(body);
		out.writeString("want " + want + " side-band-64k ofs-delta\n");
		out.end();
		out.writeString("done\n");
		return body.toByteArray();
	}

	private static byte[] v2Fetch(String want) throws IOException {
		return ProtocolV2.request("fetch", List.of("want " + want, "done"));
	}

	/** A commit that only the mirror has, named by {@code ref}. */
	private static ObjectId commitOnlyInTheMirror(Repository repository, String ref) throws IOException {
		ObjectId id;
		try (ObjectInserter inserter = repository.newObjectInserter()) {
			ObjectId main = repository.resolve("refs/heads/main");
			CommitBuilder commit = new CommitBuilder();
			commit.setTreeId(repository.parseCommit(main).getTree());
			commit.setParentId(main);
			PersonIdent someone = new PersonIdent("Someone", "someone@example.invalid");
			commit.setAuthor(someone);
			commit.setCommitter(someone);
			commit.setMessage("overwritten by a force push\n");
			id = inserter.insert(commit);
			inserter.flush();
		}
		RefUpdate update = repository.updateRef(ref);
		update.setNewObjectId(id);
		assertThat(update.update()).isEqualTo(RefUpdate.Result.NEW);
		assertThat(repository.getObjectDatabase().has(id)).isTrue();
		return id;
	}

}
