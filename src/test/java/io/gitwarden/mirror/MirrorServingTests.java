package io.gitwarden.mirror;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.gitwarden.embedded.LoopbackTomcat;
import io.gitwarden.testsupport.GitCli;
import io.gitwarden.testsupport.ProtocolV2;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.RefUpdate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Clones and fetches with the real git CLI, served from a mirror by {@link Mirror#uploadPack} (the ref
 * advertisement relayed from a real upstream, as git-warden does): protocol v0, v1 and v2, shallow,
 * partial with lazy fetches, incremental fetches after upstream changes. Every clone passes
 * {@code git fsck --strict} and has the same tips as a direct clone.
 */
class MirrorServingTests {

	@TempDir
	Path tmp;

	MirrorFixture fixture;

	RepositoryMirrors mirrors;

	MirrorServingServlet servlet;

	LoopbackTomcat proxy;

	GitCli git;

	@BeforeEach
	void start() throws IOException {
		this.fixture = MirrorFixture.create(this.tmp);
		this.mirrors = this.fixture.mirrors();
		this.servlet = new MirrorServingServlet(this.mirrors, this.fixture.upstream.baseUrl(), MirrorFixture.TOKEN,
				Files.createDirectories(this.tmp.resolve("spool")));
		this.proxy = LoopbackTomcat.start("mirror-serving", (context) -> {
			Tomcat.addServlet(context, "git", this.servlet);
			context.addServletMappingDecoded("/*", "git");
		});
		this.git = this.fixture.git;
		this.fixture.createUpstream("acme/app", 4);
		this.fixture.commitUpstream("acme/app", "feature", "feature.txt", "feature\n", false);
		Path work = Files.createTempDirectory(this.tmp, "tag");
		this.git.run(work, "clone", "-q", this.fixture.repositories.bare("acme/app").toString(), ".").assertSuccess();
		this.git.run(work, "tag", "-a", "-m", "release", "v1.0").assertSuccess();
		this.git.run(work, "push", "-q", "origin", "v1.0").assertSuccess();
	}

	@AfterEach
	void stop() throws InterruptedException {
		this.proxy.close();
		this.mirrors.destroy();
		this.fixture.close();
	}

	@ParameterizedTest
	@ValueSource(ints = { 0, 1, 2 })
	void aCloneServedFromTheMirrorEqualsADirectClone(int version) throws IOException {
		Path clone = clone(version, "clone");

		assertThat(this.servlet.servedFromMirror.get()).isPositive();
		assertThat(this.servlet.forwardedFetches.get()).isZero();
		assertThat(this.fixture.fetches()).isEqualTo(1);
		this.git.run(clone, "fsck", "--strict").assertSuccess();
		assertThat(tips(clone)).isEqualTo(tips(directClone()));
		assertThat(Files.readString(clone.resolve("file-4.txt"))).isEqualTo("content 4\n");

		// a second clone is a hit: the upstream only answers the advertisement
		int upstreamRequests = this.fixture.upstream.requestCount();
		Path again = clone(version, "again");
		assertThat(tips(again)).isEqualTo(tips(clone));
		assertThat(this.fixture.fetches()).isEqualTo(1);
		assertThat(this.fixture.upstream.requestCount() - upstreamRequests).as("advertisement only")
			.isEqualTo((version == 2) ? 2 : 1);
	}

	@ParameterizedTest
	@ValueSource(ints = { 0, 2 })
	void aShallowCloneIsServedFromTheMirror(int version) throws IOException {
		Path clone = this.tmp.resolve("shallow");
		this.git.run(this.tmp, "-c", "protocol.version=" + version, "clone", "-q", "--depth", "1", url(), clone.toString())
			.assertSuccess();

		assertThat(this.git.run(clone, "rev-parse", "--is-shallow-repository").stdout().trim()).isEqualTo("true");
		assertThat(this.git.run(clone, "rev-list", "--count", "HEAD").stdout().trim()).isEqualTo("1");
		assertThat(this.git.run(clone, "rev-parse", "HEAD").stdout().trim())
			.isEqualTo(this.fixture.upstreamRefs("acme/app").get("refs/heads/main").name());
		this.git.run(clone, "fsck", "--strict").assertSuccess();
		assertThat(this.servlet.forwardedFetches.get()).isZero();

		// deepening is served too
		this.git.run(clone, "-c", "protocol.version=" + version, "fetch", "-q", "--unshallow").assertSuccess();
		assertThat(this.git.run(clone, "rev-list", "--count", "HEAD").stdout().trim()).isEqualTo("4");
		this.git.run(clone, "fsck", "--strict").assertSuccess();
		assertThat(this.servlet.forwardedFetches.get()).isZero();
	}

	@Test
	void aPartialCloneAndItsLazyFetchesAreServedFromTheMirror() throws IOException {
		Path clone = this.tmp.resolve("partial");
		this.git.run(this.tmp, "-c", "protocol.version=2", "clone", "-q", "--filter=blob:none", url(), clone.toString())
			.assertSuccess();
		int servedByClone = this.servlet.servedFromMirror.get();
		assertThat(servedByClone).as("the clone, then the checkout's lazy fetch").isGreaterThanOrEqualTo(2);
		String missing = this.git.run(clone, "rev-list", "--objects", "--all", "--missing=print").stdout();
		assertThat(missing).as("older blobs are not in the partial clone").contains("?");

		// reading old versions fetches their blobs lazily, from the mirror
		this.git.run(clone, "-c", "protocol.version=2", "log", "-p", "--all").assertSuccess();
		assertThat(this.servlet.servedFromMirror.get()).isGreaterThan(servedByClone);
		assertThat(this.servlet.forwardedFetches.get()).isZero();
		this.git.run(clone, "fsck", "--strict").assertSuccess();
		assertThat(tips(clone)).isEqualTo(tips(directClone()));
	}

	@ParameterizedTest
	@ValueSource(ints = { 0, 2 })
	void fetchesSeeUpstreamPushesAndDeletions(int version) throws IOException {
		Path clone = clone(version, "clone");
		ObjectId moved = this.fixture.commitUpstream("acme/app", "main", "new.txt", "pushed by someone else\n", false);
		this.git.run(this.fixture.repositories.bare("acme/app"), "branch", "-D", "feature").assertSuccess();

		this.git.run(clone, "-c", "protocol.version=" + version, "fetch", "-q", "--prune", "origin").assertSuccess();

		assertThat(this.git.run(clone, "rev-parse", "origin/main").stdout().trim()).isEqualTo(moved.name());
		assertThat(this.git.run(clone, "branch", "-r").stdout()).doesNotContain("feature");
		assertThat(this.fixture.fetches()).as("the mirror fetched the new commit").isEqualTo(2);
		assertThat(this.servlet.forwardedFetches.get()).isZero();
		this.git.run(clone, "fsck", "--strict").assertSuccess();
	}

	@Test
	void concurrentFirstClonesShareOneMirrorFetch() throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(6);
		try {
			List<Future<Path>> clones = new ArrayList<>();
			for (int i = 0; i < 6; i++) {
				String name = "clone-" + i;
				clones.add(pool.submit(() -> clone(2, name)));
			}
			for (Future<Path> clone : clones) {
				assertThat(tips(clone.get())).isEqualTo(tips(directClone()));
			}
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(this.fixture.fetches()).isEqualTo(1);
		assertThat(this.servlet.forwardedFetches.get()).isZero();
	}

	@Test
	void clonesKeepWorkingWhileTheMirrorIsRepacked() throws Exception {
		clone(2, "first");
		ExecutorService pool = Executors.newFixedThreadPool(3);
		try {
			for (int round = 0; round < 3; round++) {
				List<Future<Path>> clones = new ArrayList<>();
				for (int i = 0; i < 3; i++) {
					String name = "round-" + round + "-" + i;
					clones.add(pool.submit(() -> clone(2, name)));
				}
				this.fixture.commitUpstream("acme/app", "main", "round-" + round + ".txt", "round " + round + "\n", false);
				try (Mirror mirror = this.mirrors.open(MirrorFixture.id("acme/app"))) {
					assertThat(mirror.update().outcome()).isEqualTo(MirrorUpdate.Outcome.UPDATED);
				}
				MirrorFixture.awaitMaintenance(this.mirrors);
				assertThat(this.mirrors.collectGarbageNow(MirrorFixture.id("acme/app"))).isTrue();
				for (Future<Path> clone : clones) {
					Path done = clone.get();
					this.git.run(done, "fsck", "--strict").assertSuccess();
				}
			}
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(this.fixture.timerCount("warden.mirror.gc", "result", "failed")).isZero();
		assertThat(this.fixture.timerCount("warden.mirror.gc", "result", "ok")).isGreaterThanOrEqualTo(3);
		Path latest = clone(2, "latest");
		assertThat(tips(latest)).isEqualTo(tips(directCloneFresh()));
	}

	@Test
	void refsUnderRefsWardenAreNeitherListedNorFetchable() throws Exception {
		clone(2, "clone");
		try (Mirror mirror = this.mirrors.open(MirrorFixture.id("acme/app"))) {
			ObjectId main = mirror.repository().resolve("refs/heads/main");
			RefUpdate hidden = mirror.repository().updateRef("refs/warden/overwritten/refs/heads/main/1");
			hidden.setNewObjectId(main);
			assertThat(hidden.update()).isEqualTo(RefUpdate.Result.NEW);

			ByteArrayOutputStream lsRefs = new ByteArrayOutputStream();
			mirror.uploadPack(new ByteArrayInputStream(ProtocolV2.request("ls-refs", List.of())), lsRefs, "version=2");
			RefAdvertisementTap tap = RefAdvertisementTap.forLsRefs(1000, (name) -> true);
			tap.write(lsRefs.toByteArray());
			tap.close();
			assertThat(tap.refs().orElseThrow().refs()).containsKey("refs/heads/main")
				.doesNotContainKey("refs/warden/overwritten/refs/heads/main/1");

			ByteArrayOutputStream fetch = new ByteArrayOutputStream();
			byte[] wantRef = ProtocolV2.request("fetch", List.of("want-ref refs/warden/overwritten/refs/heads/main/1", "done"));
			assertThatExceptionOfType(ServeException.class)
				.isThrownBy(() -> mirror.uploadPack(new ByteArrayInputStream(wantRef), fetch, "version=2"))
				.withMessageContaining("refs/warden/overwritten/refs/heads/main/1");
		}
	}

	private Path clone(int version, String name) {
		Path clone = this.tmp.resolve(name);
		this.git.run(this.tmp, "-c", "protocol.version=" + version, "clone", "-q", url(), clone.toString()).assertSuccess();
		return clone;
	}

	private Path directClone() {
		Path clone = this.tmp.resolve("direct");
		if (!Files.exists(clone)) {
			this.git.run(this.tmp, "clone", "-q", this.fixture.repositories.bare("acme/app").toUri().toString(),
					clone.toString()).assertSuccess();
		}
		return clone;
	}

	private Path directCloneFresh() {
		Path clone = this.tmp.resolve("direct-" + System.nanoTime());
		this.git.run(this.tmp, "clone", "-q", this.fixture.repositories.bare("acme/app").toUri().toString(),
				clone.toString()).assertSuccess();
		return clone;
	}

	/** Branches, remote branches and tags with their ids. */
	private Map<String, String> tips(Path clone) {
		Map<String, String> tips = new TreeMap<>();
		String output = this.git.run(clone, "for-each-ref", "--format=%(objectname) %(refname)", "refs/remotes",
				"refs/heads", "refs/tags").assertSuccess().stdout();
		for (String line : output.split("\n")) {
			if (!line.isBlank()) {
				tips.put(line.substring(41), line.substring(0, 40));
			}
		}
		return tips;
	}

	private String url() {
		return this.proxy.baseUrl() + "/acme/app.git";
	}

}
