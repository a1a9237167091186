package io.gitwarden.mirror;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

import io.gitwarden.mirror.MirrorException.Reason;
import io.gitwarden.mirror.MirrorUpdate.Outcome;
import io.gitwarden.embedded.LoopbackTomcat;
import io.gitwarden.testsupport.Eventually;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The mirrors against a real upstream ({@code git http-backend}): creation, incremental updates, hits
 * without upstream contact, single-flight, pruning, git-warden's own refs, eviction, a deleted mirror
 * directory, a failing upstream, and adopting pushed packs.
 */
class RepositoryMirrorsTests {

	@TempDir
	Path tmp;

	MirrorFixture fixture;

	RepositoryMirrors mirrors;

	@BeforeEach
	void start() throws IOException {
		this.fixture = MirrorFixture.create(this.tmp);
		this.mirrors = this.fixture.mirrors();
	}

	@AfterEach
	void stop() throws InterruptedException {
		this.mirrors.destroy();
		this.fixture.close();
	}

	@Test
	void createsAMirrorThenAnswersFromItWithoutContactingTheUpstream() throws Exception {
		this.fixture.createUpstream("acme/app", 3);
		AdvertisedRefs advertised = this.fixture.advertise("acme/app");

		try (Mirror mirror = this.mirrors.open(MirrorFixture.id("acme/app"))) {
			MirrorUpdate first = mirror.ensureCurrent(advertised);
			assertThat(first.outcome()).isEqualTo(Outcome.CREATED);
			assertThat(first.elapsed()).isPositive();
			assertThat(this.fixture.refs(mirror.repository().getDirectory().toPath()))
				.isEqualTo(this.fixture.upstreamRefs("acme/app"));
		}
		int upstreamRequests = this.fixture.upstream.requestCount();
		try (Mirror mirror = this.mirrors.open(MirrorFixture.id("ACME/App"))) {
			MirrorUpdate second = mirror.ensureCurrent(advertised);
			assertThat(second.outcome()).isEqualTo(Outcome.HIT);
		}
		assertThat(this.fixture.upstream.requestCount()).as("a hit does not contact the upstream")
			.isEqualTo(upstreamRequests);
		assertThat(this.fixture.fetches()).isEqualTo(1);
		assertThat(this.fixture.timerCount("warden.mirror.updates", "result", "created")).isEqualTo(1);
		assertThat(this.fixture.timerCount("warden.mirror.updates", "result", "hit")).isEqualTo(1);
		assertThat(this.tmp.resolve("mirrors/acme/app.git/HEAD")).isRegularFile();
		assertThat(this.mirrors.diskBytes()).isPositive();
		MirrorFixture.awaitMaintenance(this.mirrors);
		this.fixture.git.run(this.tmp.resolve("mirrors/acme/app.git"), "fsck", "--strict").assertSuccess();
	}

	@Test
	void upstreamChangesAreFetchedIncrementally() throws Exception {
		Path upstream = this.fixture.createUpstream("acme/big", 1);
		byte[] noise = new byte[2 * 1024 * 1024];
		new Random(42).nextBytes(noise);
		Path work = Files.createTempDirectory(this.tmp, "work");
		this.fixture.git.run(work, "clone", "-q", upstream.toString(), ".").assertSuccess();
		Files.write(work.resolve("noise.bin"), noise);
		this.fixture.git.run(work, "add", ".").assertSuccess();
		this.fixture.git.run(work, "commit", "-q", "-m", "noise").assertSuccess();
		this.fixture.git.run(work, "push", "-q", "origin", "main").assertSuccess();

		try (Mirror mirror = this.mirrors.open(MirrorFixture.id("acme/big"))) {
			assertThat(mirror.ensureCurrent(this.fixture.advertise("acme/big")).outcome()).isEqualTo(Outcome.CREATED);
		}
		MirrorFixture.awaitMaintenance(this.mirrors);
		long before = this.mirrors.diskBytes();
		ObjectId moved = this.fixture.commitUpstream("acme/big", "main", "small.txt", "small change\n", false);

		try (Mirror mirror = this.mirrors.open(MirrorFixture.id("acme/big"))) {
			assertThat(mirror.ensureCurrent(this.fixture.advertise("acme/big")).outcome()).isEqualTo(Outcome.UPDATED);
			assertThat(mirror.repository().exactRef("refs/heads/main").getObjectId()).isEqualTo(moved);
		}
		assertThat(this.mirrors.diskBytes() - before).as("only the new commit was fetched")
			.isLessThan(64 * 1024);
		assertThat(this.fixture.fetches()).isEqualTo(2);
	}

	@Test
	void twentyConcurrentCallersShareOneUpstreamFetch() throws Exception {
		this.fixture.createUpstream("acme/busy", 5);
		AdvertisedRefs advertised = this.fixture.advertise("acme/busy");
		int upstreamRequests = this.fixture.upstream.requestCount();
		CountDownLatch go = new CountDownLatch(1);
		ExecutorService pool = Executors.newFixedThreadPool(20);
		try {
			List<Future<Outcome>> outcomes = new ArrayList<>();
			for (int i = 0; i < 20; i++) {
				outcomes.add(pool.submit(() -> {
					go.await();
					try (Mirror mirror = this.mirrors.open(MirrorFixture.id("acme/busy"))) {
						return mirror.ensureCurrent(advertised).outcome();
					}
				}));
			}
			go.countDown();
			for (Future<Outcome> outcome : outcomes) {
				assertThat(outcome.get()).isIn(Outcome.CREATED, Outcome.HIT);
			}
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(this.fixture.fetches()).isEqualTo(1);
		// one JGit fetch over protocol v2: info/refs, ls-refs, fetch
		assertThat(this.fixture.upstream.requestCount() - upstreamRequests).isLessThanOrEqualTo(3);
	}

	@Test
	void aBranchDeletedUpstreamIsPruned() throws Exception {
		this.fixture.createUpstream("acme/prune", 2);
		ObjectId feature = this.fixture.commitUpstream("acme/prune", "feature", "f.txt", "feature\n", false);
		this.fixture.commitUpstream("acme/prune", "other", "o.txt", "other\n", false);
		try (Mirror mirror = this.mirrors.open(MirrorFixture.id("acme/prune"))) {
			mirror.ensureCurrent(this.fixture.advertise("acme/prune"));
			assertThat(mirror.repository().exactRef("refs/heads/feature").getObjectId()).isEqualTo(feature);
		}
		Path bare = this.fixture.repositories.bare("acme/prune");
		this.fixture.git.run(bare, "branch", "-D", "feature").assertSuccess();
		this.fixture.git.run(bare, "branch", "-D", "other").assertSuccess();

		// a complete (v0) advertisement: the mirror drops the branch without a fetch
		try (Mirror mirror = this.mirrors.open(MirrorFixture.id("acme/prune"))) {
			assertThat(mirror.ensureCurrent(this.fixture.advertise("acme/prune")).outcome()).isEqualTo(Outcome.HIT);
			assertThat(mirror.repository().exactRef("refs/heads/feature")).isNull();
		}
		// a fetch prunes too
		try (Mirror mirror = this.mirrors.open(MirrorFixture.id("acme/prune"))) {
			RefUpdate restore = mirror.repository().updateRef("refs/heads/other");
			restore.setNewObjectId(feature);
			restore.forceUpdate();
			assertThat(mirror.update().outcome()).isEqualTo(Outcome.UPDATED);
			assertThat(mirror.repository().exactRef("refs/heads/other")).isNull();
			assertThat(this.fixture.refs(mirror.repository().getDirectory().toPath()))
				.isEqualTo(this.fixture.upstreamRefs("acme/prune"));
		}
	}

	@Test
	void refsFollowTheNewestAdvertisementOnly() throws Exception {
		this.fixture.createUpstream("acme/rewind", 3);
		AdvertisedRefs old = this.fixture.advertise("acme/rewind");
		ObjectId oldMain = old.refs().get("refs/heads/main");
		ObjectId moved = this.fixture.commitUpstream("acme/rewind", "main", "n.txt", "n\n", false);
		try (Mirror mirror = this.mirrors.open(MirrorFixture.id("acme/rewind"))) {
			assertThat(mirror.ensureCurrent(this.fixture.advertise("acme/rewind")).outcome()).isEqualTo(Outcome.CREATED);
			// an advertisement taken before the fetch does not move the mirror back
			assertThat(mirror.ensureCurrent(old).outcome()).isEqualTo(Outcome.HIT);
			assertThat(mirror.repository().exactRef("refs/heads/main").getObjectId()).isEqualTo(moved);
		}
		// the upstream rewinds main to a commit the mirror has: no fetch, the ref follows
		this.fixture.git.run(this.fixture.repositories.bare("acme/rewind"), "update-ref", "refs/heads/main",
				oldMain.name()).assertSuccess();
		try (Mirror mirror = this.mirrors.open(MirrorFixture.id("acme/rewind"))) {
			assertThat(mirror.ensureCurrent(this.fixture.advertise("acme/rewind")).outcome()).isEqualTo(Outcome.HIT);
			assertThat(mirror.repository().exactRef("refs/heads/main").getObjectId()).isEqualTo(oldMain);
		}
		assertThat(this.fixture.fetches()).isEqualTo(1);
	}

	@Test
	void wardenRefsSurviveUpdatesAndPruning() throws Exception {
		this.fixture.createUpstream("acme/keep", 2);
		ObjectId mirrorOnly;
		try (Mirror mirror = this.mirrors.open(MirrorFixture.id("acme/keep"))) {
			mirror.ensureCurrent(this.fixture.advertise("acme/keep"));
			mirrorOnly = commitInMirror(mirror.repository(), "refs/warden/overwritten/refs/heads/main/1");
		}
		this.fixture.commitUpstream("acme/keep", "main", "x.txt", "x\n", false);
		try (Mirror mirror = this.mirrors.open(MirrorFixture.id("acme/keep"))) {
			assertThat(mirror.ensureCurrent(this.fixture.advertise("acme/keep")).outcome()).isEqualTo(Outcome.UPDATED);
			assertThat(mirror.update().outcome()).isEqualTo(Outcome.UPDATED);
			assertThat(mirror.repository().exactRef("refs/warden/overwritten/refs/heads/main/1").getObjectId())
				.isEqualTo(mirrorOnly);
			// not servable: only a hidden ref reaches it
			assertThatExceptionOfType(MirrorException.class)
				.isThrownBy(() -> mirror.ensureServable(List.of(mirrorOnly)))
				.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.OBJECTS_MISSING));
		}
	}

	@Test
	void leastRecentlyUsedMirrorsAreEvictedButLeasedOnesKept() throws Exception {
		for (String name : List.of("acme/one", "acme/two", "acme/three")) {
			Path upstream = this.fixture.createUpstream(name, 1);
			byte[] noise = new byte[300 * 1024];
			new Random(name.hashCode()).nextBytes(noise);
			Path work = Files.createTempDirectory(this.tmp, "work");
			this.fixture.git.run(work, "clone", "-q", upstream.toString(), ".").assertSuccess();
			Files.write(work.resolve("noise.bin"), noise);
			this.fixture.git.run(work, "add", ".").assertSuccess();
			this.fixture.git.run(work, "commit", "-q", "-m", "noise").assertSuccess();
			this.fixture.git.run(work, "push", "-q", "origin", "main").assertSuccess();
		}
		this.mirrors.destroy();
		this.mirrors = this.fixture.mirrors(DataSize.ofKilobytes(800));

		Mirror one = this.mirrors.open(MirrorFixture.id("acme/one"));
		one.ensureCurrent(this.fixture.advertise("acme/one"));
		this.fixture.clock.advance(Duration.ofMinutes(1));
		try (Mirror two = this.mirrors.open(MirrorFixture.id("acme/two"))) {
			two.ensureCurrent(this.fixture.advertise("acme/two"));
		}
		this.fixture.clock.advance(Duration.ofMinutes(1));
		MirrorFixture.awaitMaintenance(this.mirrors);
		assertThat(this.fixture.counter("warden.mirror.evictions")).isZero();
		try (Mirror three = this.mirrors.open(MirrorFixture.id("acme/three"))) {
			three.ensureCurrent(this.fixture.advertise("acme/three"));
		}

		// "one" is the least recently used but leased: "two" goes
		assertThat(this.tmp.resolve("mirrors/acme/one.git")).isDirectory();
		assertThat(this.tmp.resolve("mirrors/acme/two.git")).doesNotExist();
		assertThat(this.tmp.resolve("mirrors/acme/three.git")).isDirectory();
		assertThat(this.fixture.counter("warden.mirror.evictions")).isEqualTo(1);
		assertThat(this.mirrors.diskBytes()).isLessThanOrEqualTo(DataSize.ofKilobytes(800).toBytes());
		assertThat(one.repository().exactRef("refs/heads/main")).isNotNull();
		one.close();

		// an evicted mirror is created again on demand
		try (Mirror two = this.mirrors.open(MirrorFixture.id("acme/two"))) {
			assertThat(two.ensureCurrent(this.fixture.advertise("acme/two")).outcome()).isEqualTo(Outcome.CREATED);
		}
	}

	@Test
	void aDeletedMirrorDirectoryIsMadeAgain() throws Exception {
		this.fixture.createUpstream("acme/gone", 2);
		AdvertisedRefs advertised = this.fixture.advertise("acme/gone");
		try (Mirror mirror = this.mirrors.open(MirrorFixture.id("acme/gone"))) {
			mirror.ensureCurrent(advertised);
		}
		MirrorFixture.awaitMaintenance(this.mirrors);
		MirrorStore.deleteTree(this.tmp.resolve("mirrors"));

		try (Mirror mirror = this.mirrors.open(MirrorFixture.id("acme/gone"))) {
			assertThat(mirror.ensureCurrent(advertised).outcome()).isEqualTo(Outcome.CREATED);
			assertThat(this.fixture.refs(mirror.repository().getDirectory().toPath()))
				.isEqualTo(this.fixture.upstreamRefs("acme/gone"));
		}
	}

	@Test
	void aFailedFetchIsReportedWithItsCauseAndLeavesTheMirrorIntact() throws Exception {
		this.fixture.createUpstream("acme/flaky", 2);
		try (Mirror mirror = this.mirrors.open(MirrorFixture.id("acme/flaky"))) {
			mirror.ensureCurrent(this.fixture.advertise("acme/flaky"));
		}
		Map<String, ObjectId> before = this.fixture.upstreamRefs("acme/flaky");
		ObjectId moved = this.fixture.commitUpstream("acme/flaky", "main", "y.txt", "y\n", false);
		AdvertisedRefs advertised = this.fixture.advertise("acme/flaky");

		this.fixture.credentials.token = "ghs_wrong-token-that-must-not-leak";
		try (Mirror mirror = this.mirrors.open(MirrorFixture.id("acme/flaky"))) {
			assertThatExceptionOfType(MirrorException.class).isThrownBy(() -> mirror.ensureCurrent(advertised))
				.satisfies((ex) -> {
					assertThat(ex.reason()).isEqualTo(Reason.FETCH_FAILED);
					assertThat(ex.getMessage()).contains("acme/flaky.git").contains("refused the credential (HTTP 401)")
						.doesNotContain("ghs_wrong").doesNotContain("Basic ");
					assertThat(ex.getCause()).isNotNull();
				});
			assertThat(this.fixture.refs(mirror.repository().getDirectory().toPath())).isEqualTo(before);
		}
		assertThat(this.fixture.counter("warden.mirror.fetches", "result", "failed")).isEqualTo(1);
		assertThat(this.fixture.timerCount("warden.mirror.updates", "result", "failed")).isEqualTo(1);
		this.fixture.git.run(this.tmp.resolve("mirrors/acme/flaky.git"), "fsck", "--strict").assertSuccess();

		this.fixture.credentials.token = MirrorFixture.TOKEN;
		try (Mirror mirror = this.mirrors.open(MirrorFixture.id("acme/flaky"))) {
			assertThat(mirror.ensureCurrent(advertised).outcome()).isEqualTo(Outcome.UPDATED);
			assertThat(mirror.repository().exactRef("refs/heads/main").getObjectId()).isEqualTo(moved);
		}
	}

	@Test
	void anUnreachableUpstreamFailsTheFetchWithTheConnectionError() throws Exception {
		this.fixture.createUpstream("acme/down", 1);
		AdvertisedRefs advertised = this.fixture.advertise("acme/down");
		LoopbackTomcat closed = LoopbackTomcat.start("closed", (context) -> {
		});
		java.net.URI deadUrl = closed.baseUrl();
		closed.close();
		RepositoryMirrors down = this.fixture.mirrors(this.fixture.properties(DataSize.ofGigabytes(1)), deadUrl);
		try (Mirror mirror = down.open(MirrorFixture.id("acme/down"))) {
			assertThatExceptionOfType(MirrorException.class).isThrownBy(() -> mirror.ensureCurrent(advertised))
				.satisfies((ex) -> {
					assertThat(ex.reason()).isEqualTo(Reason.FETCH_FAILED);
					assertThat(ex.getMessage()).containsIgnoringCase("connect");
				});
			assertThat(mirror.repository().getRefDatabase().getRefs()).isEmpty();
		}
		finally {
			down.destroy();
		}
	}

	@Test
	void ensureObjectsFetchesMissingIdsAndFailsForIdsTheUpstreamLacks() throws Exception {
		this.fixture.createUpstream("acme/objects", 1);
		try (Mirror mirror = this.mirrors.open(MirrorFixture.id("acme/objects"))) {
			mirror.ensureCurrent(this.fixture.advertise("acme/objects"));
			ObjectId moved = this.fixture.commitUpstream("acme/objects", "main", "z.txt", "z\n", false);
			assertThat(mirror.ensureObjects(List.of(moved)).outcome()).isEqualTo(Outcome.UPDATED);
			assertThat(mirror.ensureObjects(List.of(moved)).outcome()).isEqualTo(Outcome.HIT);
			ObjectId unknown = ObjectId.fromString("0123456789abcdef0123456789abcdef01234567");
			assertThatExceptionOfType(MirrorException.class).isThrownBy(() -> mirror.ensureObjects(List.of(unknown)))
				.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.OBJECTS_MISSING));
		}
	}

	@Test
	void adoptsAPushedPackAndItsRefsWithoutAFetch() throws Exception {
		PushedCommit push = pushUpstream("acme/push", "HEAD:main", "HEAD:refs/heads/agent/x");
		ObjectId old = push.old();
		ObjectId pushed = push.pushed();
		Path[] pack = push.pack();
		int upstreamRequests = this.fixture.upstream.requestCount();

		try (Mirror mirror = this.mirrors.open(MirrorFixture.id("acme/push"))) {
			List<String> kept = mirror.adopt(pack[0], pack[1],
					List.of(new ReceiveCommand(old, pushed, "refs/heads/main"),
							new ReceiveCommand(ObjectId.zeroId(), pushed, "refs/heads/agent/x")));
			assertThat(kept).isEmpty();
			assertThat(this.fixture.upstream.requestCount()).isEqualTo(upstreamRequests);
			assertThat(mirror.repository().exactRef("refs/heads/main").getObjectId()).isEqualTo(pushed);
			assertThat(this.fixture.refs(mirror.repository().getDirectory().toPath()))
				.isEqualTo(this.fixture.upstreamRefs("acme/push"));
			assertThat(mirror.ensureCurrent(this.fixture.advertise("acme/push")).outcome()).isEqualTo(Outcome.HIT);
		}
		assertThat(this.fixture.counter("warden.mirror.adoptions", "result", "ok")).isEqualTo(1);
		MirrorFixture.awaitMaintenance(this.mirrors);
		this.fixture.git.run(this.tmp.resolve("mirrors/acme/push.git"), "fsck", "--strict").assertSuccess();
	}

	@Test
	void aCallerMissingObjectsWaitsForAnAnnouncedAdoptionInsteadOfFetching() throws Exception {
		PushedCommit push = pushUpstream("acme/announced", "HEAD:main");
		ObjectId old = push.old();
		ObjectId pushed = push.pushed();
		Path[] pack = push.pack();
		double fetches = this.fixture.fetches();

		ExecutorService next = Executors.newSingleThreadExecutor();
		try (Mirror pushing = this.mirrors.open(MirrorFixture.id("acme/announced"))) {
			Mirror.PendingAdoption pending = pushing.announceAdoption();
			AtomicReference<Thread> caller = new AtomicReference<>();
			Future<Outcome> outcome = next.submit(() -> {
				caller.set(Thread.currentThread());
				try (Mirror mirror = this.mirrors.open(MirrorFixture.id("acme/announced"))) {
					return mirror.ensureObjects(List.of(pushed)).outcome();
				}
			});
			// the next request found the commit missing and waits for the adoption (a fetch would not wait)
			assertThat(Eventually.await(() -> outcome.isDone() || (caller.get() != null && waitsForAdoption(caller.get())),
					(waiting) -> waiting)).isTrue();
			assertThat(outcome).isNotDone();
			pushing.adopt(pack[0], pack[1], List.of(new ReceiveCommand(old, pushed, "refs/heads/main")));
			pending.close();
			assertThat(outcome.get()).isEqualTo(Outcome.HIT);
		}
		finally {
			next.shutdownNow();
		}
		assertThat(this.fixture.fetches()).isEqualTo(fetches);
	}

	/**
	 * A mirror made current for a new upstream repository, then a commit pushed to that upstream directly
	 * (not through the mirror), with the pack a push of it carries.
	 */
	private PushedCommit pushUpstream(String repository, String... refspecs) throws Exception {
		Path upstream = this.fixture.createUpstream(repository, 2);
		try (Mirror mirror = this.mirrors.open(MirrorFixture.id(repository))) {
			mirror.ensureCurrent(this.fixture.advertise(repository));
		}
		ObjectId old = this.fixture.upstreamRefs(repository).get("refs/heads/main");
		Path work = Files.createTempDirectory(this.tmp, "work");
		this.fixture.git.run(work, "clone", "-q", upstream.toString(), ".").assertSuccess();
		Files.writeString(work.resolve("pushed.txt"), "pushed through git-warden\n");
		this.fixture.git.run(work, "add", ".").assertSuccess();
		this.fixture.git.run(work, "commit", "-q", "-m", "pushed").assertSuccess();
		ObjectId pushed = ObjectId.fromString(this.fixture.git.run(work, "rev-parse", "HEAD").stdout().trim());
		Path[] pack = packObjects(work, pushed.name() + " --not " + old.name());
		List<String> push = new ArrayList<>(List.of("push", "-q", "origin"));
		push.addAll(List.of(refspecs));
		this.fixture.git.run(work, push.toArray(String[]::new)).assertSuccess();
		return new PushedCommit(old, pushed, pack);
	}

	private record PushedCommit(ObjectId old, ObjectId pushed, Path[] pack) {
	}

	private static boolean waitsForAdoption(Thread thread) {
		for (StackTraceElement frame : thread.getStackTrace()) {
			if (frame.getMethodName().equals("awaitAdoptions") && frame.getClassName().equals(MirrorEntry.class.getName())) {
				return true;
			}
		}
		return false;
	}

	@Test
	void aForcePushKeepsTheOverwrittenTipReachableThroughUpdatesAndGc() throws Exception {
		Path upstream = this.fixture.createUpstream("acme/force", 3);
		try (Mirror mirror = this.mirrors.open(MirrorFixture.id("acme/force"))) {
			mirror.ensureCurrent(this.fixture.advertise("acme/force"));
		}
		ObjectId overwritten = this.fixture.upstreamRefs("acme/force").get("refs/heads/main");
		Path work = Files.createTempDirectory(this.tmp, "work");
		this.fixture.git.run(work, "clone", "-q", upstream.toString(), ".").assertSuccess();
		this.fixture.git.run(work, "reset", "-q", "--hard", "HEAD~2").assertSuccess();
		Files.writeString(work.resolve("rewrite.txt"), "history rewritten\n");
		this.fixture.git.run(work, "add", ".").assertSuccess();
		this.fixture.git.run(work, "commit", "-q", "-m", "rewrite").assertSuccess();
		ObjectId rewritten = ObjectId.fromString(this.fixture.git.run(work, "rev-parse", "HEAD").stdout().trim());
		Path[] pack = packObjects(work, rewritten.name() + " --not " + overwritten.name());
		this.fixture.git.run(work, "push", "-q", "-f", "origin", "HEAD:main").assertSuccess();

		String keptRef;
		try (Mirror mirror = this.mirrors.open(MirrorFixture.id("acme/force"))) {
			List<String> kept = mirror.adopt(pack[0], pack[1],
					List.of(new ReceiveCommand(overwritten, rewritten, "refs/heads/main")));
			assertThat(kept).singleElement().asString()
				.matches("refs/warden/overwritten/refs/heads/main/20260101T000000\\.000Z-" + overwritten.abbreviate(12).name());
			keptRef = kept.get(0);
			assertThat(mirror.repository().exactRef(keptRef).getObjectId()).isEqualTo(overwritten);
			assertThat(mirror.update().outcome()).isEqualTo(Outcome.UPDATED);
		}
		// a GC of a mirror with more packs than the threshold keeps the overwritten history
		this.mirrors.destroy();
		this.mirrors = this.fixture.mirrors(new MirrorProperties(this.tmp.resolve("mirrors"),
				DataSize.ofGigabytes(1), Duration.ofSeconds(30), 4, 2, 1000, false), this.fixture.upstream.baseUrl());
		this.fixture.commitUpstream("acme/force", "main", "more.txt", "more\n", false);
		try (Mirror mirror = this.mirrors.open(MirrorFixture.id("acme/force"))) {
			mirror.ensureCurrent(this.fixture.advertise("acme/force"));
		}
		MirrorFixture.awaitMaintenance(this.mirrors);
		assertThat(this.fixture.timerCount("warden.mirror.gc", "result", "ok")).isPositive();
		Path gitDir = this.tmp.resolve("mirrors/acme/force.git");
		// JGit writes branches and tags (with the bitmap) and the other refs (refs/warden/) in two packs
		assertThat(MirrorStore.packs(gitDir).packs()).isEqualTo(2);
		assertThat(MirrorStore.packs(gitDir).bitmap()).isTrue();
		this.fixture.git.run(gitDir, "fsck", "--strict", "--no-dangling").assertSuccess();
		this.fixture.git.run(gitDir, "cat-file", "-e", overwritten.name() + "~2").assertSuccess();
		assertThat(this.fixture.refs(gitDir)).containsEntry(keptRef, overwritten);
	}

	@Test
	void adoptRefusesAnIndexOfAnotherPackAndWardenRefs() throws Exception {
		Path upstream = this.fixture.createUpstream("acme/bad", 2);
		Path work = Files.createTempDirectory(this.tmp, "work");
		this.fixture.git.run(work, "clone", "-q", upstream.toString(), ".").assertSuccess();
		Path[] first = packObjects(work, "HEAD~1");
		Path[] second = packObjects(work, "HEAD");
		ObjectId head = ObjectId.fromString(this.fixture.git.run(work, "rev-parse", "HEAD").stdout().trim());
		try (Mirror mirror = this.mirrors.open(MirrorFixture.id("acme/bad"))) {
			assertThatExceptionOfType(MirrorException.class)
				.isThrownBy(() -> mirror.adopt(first[0], second[1],
						List.of(new ReceiveCommand(ObjectId.zeroId(), head, "refs/heads/main"))))
				.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.INVALID_PACK));
			assertThatExceptionOfType(MirrorException.class)
				.isThrownBy(() -> mirror.adopt(second[0], second[1],
						List.of(new ReceiveCommand(ObjectId.zeroId(), head, "refs/warden/x"))))
				.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.INVALID_PACK));
			assertThat(mirror.repository().getRefDatabase().getRefs()).isEmpty();
		}
	}

	@Test
	void mirrorsFoundOnDiskAtStartAreCountedAndLeftoversCleaned() throws Exception {
		this.fixture.createUpstream("acme/restart", 2);
		try (Mirror mirror = this.mirrors.open(MirrorFixture.id("acme/restart"))) {
			mirror.ensureCurrent(this.fixture.advertise("acme/restart"));
		}
		MirrorFixture.awaitMaintenance(this.mirrors);
		this.mirrors.destroy();
		Path gitDir = this.tmp.resolve("mirrors/acme/restart.git");
		Files.writeString(gitDir.resolve("refs/heads/main.lock"), "stale");
		Files.writeString(gitDir.resolve("objects/pack/incoming_123.pack"), "partial");
		Files.createDirectories(this.tmp.resolve("mirrors/trash.git/leftover"));

		this.mirrors = this.fixture.mirrors();
		try (Mirror mirror = this.mirrors.open(MirrorFixture.id("acme/restart"))) {
			assertThat(this.mirrors.diskBytes()).isPositive();
			assertThat(gitDir.resolve("refs/heads/main.lock")).doesNotExist();
			assertThat(gitDir.resolve("objects/pack/incoming_123.pack")).doesNotExist();
			assertThat(this.tmp.resolve("mirrors/trash.git")).doesNotExist();
			assertThat(mirror.ensureCurrent(this.fixture.advertise("acme/restart")).outcome()).isEqualTo(Outcome.HIT);
		}
	}

	/** {@code git pack-objects} of the given revisions: the {@code .pack} and {@code .idx} it writes. */
	private Path[] packObjects(Path work, String revisions) throws IOException, InterruptedException {
		Path packs = Files.createTempDirectory(this.tmp, "packs");
		Process process = new ProcessBuilder("git", "pack-objects", "--revs", "-q", packs.resolve("pack").toString())
			.directory(work.toFile())
			.redirectError(ProcessBuilder.Redirect.INHERIT)
			.start();
		try (var stdin = process.getOutputStream()) {
			stdin.write((String.join("\n", revisions.split(" ")) + "\n").getBytes(StandardCharsets.UTF_8));
		}
		String hash = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
		assertThat(process.waitFor()).isZero();
		return new Path[] { packs.resolve("pack-" + hash + ".pack"), packs.resolve("pack-" + hash + ".idx") };
	}

	private static ObjectId commitInMirror(Repository repository, String ref) throws IOException {
		try (ObjectInserter inserter = repository.newObjectInserter()) {
			ObjectId blob = inserter.insert(Constants.OBJ_BLOB, "only in the mirror\n".getBytes());
			org.eclipse.jgit.lib.TreeFormatter tree = new org.eclipse.jgit.lib.TreeFormatter();
			tree.append("only.txt", org.eclipse.jgit.lib.FileMode.REGULAR_FILE, blob);
			ObjectId treeId = inserter.insert(tree);
			org.eclipse.jgit.lib.CommitBuilder commit = new org.eclipse.jgit.lib.CommitBuilder();
			org.eclipse.jgit.lib.PersonIdent person = new org.eclipse.jgit.lib.PersonIdent("Warden", "warden@example.invalid");
			commit.setAuthor(person);
			commit.setCommitter(person);
			commit.setTreeId(treeId);
			commit.setParentId(repository.resolve("refs/heads/main"));
			commit.setMessage("only in the mirror\n");
			ObjectId commitId = inserter.insert(commit);
			inserter.flush();
			RefUpdate update = repository.updateRef(ref);
			update.setNewObjectId(commitId);
			assertThat(update.update()).isEqualTo(RefUpdate.Result.NEW);
			return commitId;
		}
	}

}
