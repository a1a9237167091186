package io.gitwarden.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import io.gitwarden.testsupport.GitCli;
import io.gitwarden.testsupport.GitFixture;
import io.gitwarden.testsupport.GitHttpBackendServer;
import io.gitwarden.testsupport.GitCli.Result;
import io.gitwarden.testsupport.TestRepositories;
import io.gitwarden.testsupport.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End-to-end scenarios: the real git CLI through git-warden to a real git server. Subclasses choose the
 * upstream (JGit's GitServlet, or git http-backend). Each test works on its own repository.
 */
abstract class AbstractGitScenarios {

	static final String BRANCH = "agent/work";

	@LocalServerPort
	int port;

	String repo;

	abstract GitFixture fixture();

	/** What the upstream received, when the upstream can tell (git http-backend); empty otherwise. */
	List<GitHttpBackendServer.Seen> upstreamSeen() {
		return List.of();
	}

	GitCli git() {
		return fixture().git();
	}

	TestRepositories repositories() {
		return fixture().repositories();
	}

	Path scratch() {
		return fixture().scratch();
	}

	void createRepository(TestInfo info) {
		String method = info.getTestMethod().orElseThrow().getName().toLowerCase();
		this.repo = "acme/" + method + "-" + Math.abs(info.getDisplayName().hashCode());
		repositories().create(this.repo, 2);
	}

	String url(String token) {
		return url(token, this.repo);
	}

	String url(String token, String repository) {
		return "http://x:" + token + "@127.0.0.1:" + this.port + "/" + repository + ".git";
	}

	String token() {
		return Tokens.forRepo(this.repo).sign();
	}

	Path cloneRepo(String... options) throws IOException {
		Path work = Files.createTempDirectory(scratch(), "clone");
		String[] args = new String[options.length + 4];
		System.arraycopy(options, 0, args, 0, options.length);
		args[options.length] = "clone";
		args[options.length + 1] = "-q";
		args[options.length + 2] = url(token());
		args[options.length + 3] = work.toString();
		git().run(scratch(), args).assertSuccess();
		return work;
	}

	String commit(Path work, String file) throws IOException {
		Files.writeString(work.resolve(file), "agent change " + Instant.now() + "\n");
		git().run(work, "add", file).assertSuccess();
		git().run(work, "commit", "-q", "-m", "agent " + file).assertSuccess();
		return head(work);
	}

	String head(Path work) {
		return git().run(work, "rev-parse", "HEAD").assertSuccess().stdout().trim();
	}

	@ParameterizedTest(name = "protocol v{0}")
	@ValueSource(ints = { 0, 1, 2 })
	void clonesWithEachProtocolVersion(int version, TestInfo info) throws IOException {
		createRepository(info);
		int before = upstreamSeen().size();
		Path work = cloneRepo("-c", "protocol.version=" + version);
		assertThat(work.resolve("file-2.txt")).exists();
		assertThat(head(work)).isEqualTo(repositories().resolve(this.repo, "refs/heads/main"));
		List<GitHttpBackendServer.Seen> seen = upstreamSeen();
		if (!seen.isEmpty()) {
			// the protocol really reached the upstream (not a silent fallback to v0)
			List<GitHttpBackendServer.Seen> clone = seen.subList(before, seen.size());
			if (version == 2) {
				assertThat(clone).allSatisfy((request) -> assertThat(request.gitProtocol()).isEqualTo("version=2"));
				assertThat(clone).anySatisfy((request) -> assertThat(request.bodyStart()).contains("command=ls-refs"));
				assertThat(clone).anySatisfy((request) -> assertThat(request.bodyStart()).contains("command=fetch"));
			}
			else if (version == 1) {
				assertThat(clone).allSatisfy((request) -> assertThat(request.gitProtocol()).isEqualTo("version=1"));
			}
			else {
				assertThat(clone).allSatisfy((request) -> assertThat(request.gitProtocol()).isNull());
				assertThat(clone).anySatisfy((request) -> assertThat(request.bodyStart()).contains("want "));
			}
		}
	}

	@Test
	void shallowClone(TestInfo info) throws IOException {
		createRepository(info);
		Path work = Files.createTempDirectory(scratch(), "shallow");
		git().run(scratch(), "clone", "-q", "--depth", "1", url(token()), work.toString()).assertSuccess();
		assertThat(git().run(work, "rev-list", "--count", "HEAD").stdout().trim()).isEqualTo("1");
		assertThat(git().run(work, "rev-parse", "--is-shallow-repository").stdout().trim()).isEqualTo("true");
	}

	@ParameterizedTest(name = "protocol v{0}")
	@ValueSource(ints = { 0, 2 })
	void fetchAfterUpstreamMoves(int version, TestInfo info) throws IOException {
		createRepository(info);
		Path work = cloneRepo();
		repositories().advance(this.repo, "main", "upstream.txt");
		git().run(work, "-c", "protocol.version=" + version, "fetch", "-q", "origin").assertSuccess();
		assertThat(git().run(work, "rev-parse", "origin/main").stdout().trim())
			.isEqualTo(repositories().resolve(this.repo, "refs/heads/main"));
	}

	@Test
	void pushCreatesThenUpdatesTheSessionBranch(TestInfo info) throws IOException {
		createRepository(info);
		Path work = cloneRepo();
		String first = commit(work, "one.txt");
		git().run(work, "push", "-q", "origin", "HEAD:" + BRANCH).assertSuccess();
		assertThat(repositories().resolve(this.repo, "refs/heads/" + BRANCH)).isEqualTo(first);
		String second = commit(work, "two.txt");
		// protocol v1 adds "Git-Protocol: version=1" to the push requests
		git().run(work, "-c", "protocol.version=1", "push", "-q", "origin", "HEAD:" + BRANCH).assertSuccess();
		assertThat(repositories().resolve(this.repo, "refs/heads/" + BRANCH)).isEqualTo(second);
	}

	@Test
	void gzipUploadPackRequestPassesThroughEncoded(TestInfo info) throws Exception {
		createRepository(info);
		String main = repositories().resolve(this.repo, "refs/heads/main");
		ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
		try (GZIPOutputStream gzip = new GZIPOutputStream(gzipped)) {
			gzip.write((pkt("want " + main + " side-band-64k ofs-delta\n") + "0000" + pkt("done\n"))
				.getBytes(StandardCharsets.US_ASCII));
		}
		HttpResponse<byte[]> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/" + this.repo + ".git/git-upload-pack"))
				.header("Authorization", "Bearer " + token())
				.header("Content-Type", "application/x-git-upload-pack-request")
				.header("Accept", "application/x-git-upload-pack-result")
				.header("Content-Encoding", "gzip")
				.POST(HttpRequest.BodyPublishers.ofByteArray(gzipped.toByteArray()))
				.build(), HttpResponse.BodyHandlers.ofByteArray());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/x-git-upload-pack-result");
		assertThat(new String(response.body(), StandardCharsets.ISO_8859_1)).startsWith("0008NAK\n").contains("PACK");
	}

	static String pkt(String payload) {
		return String.format("%04x", payload.length() + 4) + payload;
	}

	@Test
	void atomicPushWithPushOptions(TestInfo info) throws IOException {
		createRepository(info);
		Path work = cloneRepo();
		String head = commit(work, "atomic.txt");
		git().run(work, "push", "--atomic", "-o", "ci.skip", "-o", "reviewer=someone", "origin", "HEAD:" + BRANCH)
			.assertSuccess();
		assertThat(repositories().resolve(this.repo, "refs/heads/" + BRANCH)).isEqualTo(head);
	}

	@Test
	void largeChunkedPushIsStreamed(TestInfo info) throws IOException {
		createRepository(info);
		Path work = cloneRepo();
		writeRandomFile(work.resolve("big.bin"), 24 * 1024 * 1024);
		git().run(work, "add", "big.bin").assertSuccess();
		git().run(work, "commit", "-q", "-m", "big").assertSuccess();
		// 24 MiB is far above http.postBuffer: git sends the 4-byte probe, then the pack chunked.
		git().run(work, "push", "-q", "origin", "HEAD:" + BRANCH).assertSuccess();
		assertThat(repositories().resolve(this.repo, "refs/heads/" + BRANCH)).isEqualTo(head(work));
	}

	@Test
	void pushToMainIsRefusedWithTheReason(TestInfo info) throws IOException {
		createRepository(info);
		String mainBefore = repositories().resolve(this.repo, "refs/heads/main");
		Path work = cloneRepo();
		commit(work, "sneaky.txt");
		Result push = git().run(work, "push", "origin", "HEAD:main");
		assertThat(push.exitCode()).isNotZero();
		assertThat(push.stderr())
			.contains(" ! [remote rejected] HEAD -> main (git-warden: refs/heads/main is protected; this session may push only to refs/heads/agent/work)")
			.contains("remote: git-warden: push your work with: git push origin HEAD:agent/work");
		assertThat(repositories().resolve(this.repo, "refs/heads/main")).isEqualTo(mainBefore);
	}

	@Test
	void largeRefusedPushStillShowsTheReason(TestInfo info) throws IOException {
		createRepository(info);
		String refsBefore = repositories().refs(this.repo);
		Path work = cloneRepo();
		writeRandomFile(work.resolve("big.bin"), 8 * 1024 * 1024);
		git().run(work, "add", "big.bin").assertSuccess();
		git().run(work, "commit", "-q", "-m", "big").assertSuccess();
		Result push = git().run(work, "push", "origin", "HEAD:main");
		assertThat(push.exitCode()).isNotZero();
		assertThat(push.stderr()).contains("[remote rejected] HEAD -> main (git-warden: refs/heads/main is protected; this session may push only to")
			.doesNotContain("Broken pipe");
		assertThat(repositories().refs(this.repo)).isEqualTo(refsBefore);
	}

	@Test
	void otherBranchesTagsAndLookAlikesAreRefused(TestInfo info) throws IOException {
		createRepository(info);
		String refsBefore = repositories().refs(this.repo);
		Path work = cloneRepo();
		commit(work, "x.txt");
		for (String target : new String[] { "feature", "agent/work-x", "agent/work/x", "Agent/Work" }) {
			Result push = git().run(work, "push", "origin", "HEAD:refs/heads/" + target);
			assertThat(push.exitCode()).as(target).isNotZero();
			assertThat(push.stderr()).as(target)
				.contains("[remote rejected] HEAD -> " + target
						+ " (git-warden: this session may push only to refs/heads/agent/work)");
		}
		Result tag = git().run(work, "push", "origin", "HEAD:refs/tags/v1");
		assertThat(tag.stderr()).contains("[remote rejected] HEAD -> v1 (git-warden: this session may not push this tag");
		Result notes = git().run(work, "push", "origin", "HEAD:refs/notes/x");
		assertThat(notes.stderr()).contains("[remote rejected]");
		assertThat(repositories().refs(this.repo)).isEqualTo(refsBefore);
	}

	@Test
	void deletingTheSessionBranchIsRefused(TestInfo info) throws IOException {
		createRepository(info);
		Path work = cloneRepo();
		String head = commit(work, "d.txt");
		git().run(work, "push", "-q", "origin", "HEAD:" + BRANCH).assertSuccess();
		Result delete = git().run(work, "push", "origin", "--delete", BRANCH);
		assertThat(delete.exitCode()).isNotZero();
		assertThat(delete.stderr())
			.contains("[remote rejected] " + BRANCH + " (git-warden: this session may not delete refs/heads/agent/work)");
		assertThat(repositories().resolve(this.repo, "refs/heads/" + BRANCH)).isEqualTo(head);
	}

	@Test
	void mixedPushIsRefusedWhole(TestInfo info) throws IOException {
		createRepository(info);
		String refsBefore = repositories().refs(this.repo);
		Path work = cloneRepo();
		commit(work, "m.txt");
		Result push = git().run(work, "push", "origin", "HEAD:" + BRANCH, "HEAD:main");
		assertThat(push.exitCode()).isNotZero();
		assertThat(push.stderr())
			.contains("[remote rejected] HEAD -> main (git-warden: refs/heads/main is protected; this session may push only to refs/heads/agent/work)")
			.contains("[remote rejected] HEAD -> " + BRANCH
					+ " (git-warden: not pushed because another ref in this push was refused)");
		assertThat(repositories().refs(this.repo)).isEqualTo(refsBefore);
	}

	@Test
	void expiredTokenIsRefusedWithTheReason(TestInfo info) throws IOException {
		createRepository(info);
		String expired = Tokens.forRepo(this.repo)
			.issuedAt(Instant.now().minus(Duration.ofHours(2)))
			.ttl(Duration.ofHours(1))
			.sign();
		Result clone = git().run(scratch(), "clone", url(expired), scratch().resolve("expired").toString());
		assertThat(clone.exitCode()).isNotZero();
		assertThat(clone.stderr()).contains("remote: git-warden: session token expired").doesNotContain(expired);
	}

	@Test
	void otherRepositoryIsRefused(TestInfo info) throws IOException {
		createRepository(info);
		repositories().create("acme/secret-" + this.repo.hashCode(), 1);
		Result clone = git().run(scratch(), "clone", url(token(), "acme/secret-" + this.repo.hashCode()),
				scratch().resolve("other-" + this.repo.hashCode()).toString());
		assertThat(clone.exitCode()).isNotZero();
		assertThat(clone.stderr()).contains("remote: git-warden: this session may not access acme/secret-");
	}

	@Test
	void repositoryNamesMatchCaseInsensitively(TestInfo info) throws IOException {
		createRepository(info);
		Path work = Files.createTempDirectory(scratch(), "case");
		git().run(scratch(), "clone", "-q", url(token(), this.repo.toUpperCase()), work.toString()).assertSuccess();
		assertThat(work.resolve("file-1.txt")).exists();
	}

	static void writeRandomFile(Path file, int size) throws IOException {
		Random random = new Random(size);
		byte[] chunk = new byte[1024 * 1024];
		try (OutputStream out = Files.newOutputStream(file)) {
			for (int written = 0; written < size; written += chunk.length) {
				random.nextBytes(chunk);
				out.write(chunk);
			}
		}
	}

}
