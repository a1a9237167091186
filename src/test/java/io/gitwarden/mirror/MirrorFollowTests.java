package io.gitwarden.mirror;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import io.gitwarden.mirror.MirrorUpdate.Outcome;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Mirror#follow}: what the fetch cache does with each advertisement. It never contacts the
 * upstream; it moves and deletes refs as advertised when the mirror has the objects, and when some are
 * missing it still applies deletions and the moves it can, leaving the rest for the fetch that needs them.
 */
class MirrorFollowTests {

	@TempDir
	Path tmp;

	MirrorFixture fixture;

	RepositoryMirrors mirrors;

	@BeforeEach
	void start() throws IOException {
		this.fixture = MirrorFixture.create(this.tmp);
		this.mirrors = this.fixture.mirrors();
		this.fixture.createUpstream("acme/app", 2);
		this.fixture.commitUpstream("acme/app", "feature", "feature.txt", "feature\n", false);
		this.fixture.commitUpstream("acme/app", "other", "other.txt", "other\n", false);
	}

	@AfterEach
	void stop() throws InterruptedException {
		this.mirrors.destroy();
		this.fixture.close();
	}

	@Test
	void aColdMirrorFollowsNothingAndTheUpstreamIsNotContacted() throws Exception {
		AdvertisedRefs advertised = this.fixture.advertise("acme/app");
		int requests = this.fixture.upstream.requestCount();
		try (Mirror mirror = this.mirrors.open(MirrorFixture.id("acme/app"))) {
			assertThat(mirror.follow(advertised)).isFalse();
			assertThat(mirror.repository().getRefDatabase().getRefs()).isEmpty();
		}
		assertThat(this.fixture.upstream.requestCount()).isEqualTo(requests);
		assertThat(this.fixture.fetches()).isZero();
	}

	@Test
	void deletionsAndMovesWithLocalObjectsAreFollowedWhileOtherRefsWaitForAFetch() throws Exception {
		try (Mirror mirror = this.mirrors.open(MirrorFixture.id("acme/app"))) {
			assertThat(mirror.ensureCurrent(this.fixture.advertise("acme/app")).outcome()).isEqualTo(Outcome.CREATED);
		}
		ObjectId mainBefore = this.fixture.upstreamRefs("acme/app").get("refs/heads/main");
		ObjectId feature = this.fixture.upstreamRefs("acme/app").get("refs/heads/feature");
		// upstream: main gains a commit the mirror lacks, feature is deleted, other is reset to feature's tip
		ObjectId moved = this.fixture.commitUpstream("acme/app", "main", "new.txt", "new\n", false);
		this.fixture.git.run(this.fixture.repositories.bare("acme/app"), "branch", "-D", "feature").assertSuccess();
		this.fixture.git.run(this.fixture.repositories.bare("acme/app"), "update-ref", "refs/heads/other", feature.name())
			.assertSuccess();
		AdvertisedRefs advertised = this.fixture.advertise("acme/app");
		int requests = this.fixture.upstream.requestCount();

		try (Mirror mirror = this.mirrors.open(MirrorFixture.id("acme/app"))) {
			assertThat(mirror.follow(advertised)).isFalse();
			Map<String, ObjectId> refs = refs(mirror);
			assertThat(refs).doesNotContainKey("refs/heads/feature")
				.containsEntry("refs/heads/other", feature)
				.containsEntry("refs/heads/main", mainBefore);
		}
		assertThat(this.fixture.upstream.requestCount()).as("follow never contacts the upstream").isEqualTo(requests);

		try (Mirror mirror = this.mirrors.open(MirrorFixture.id("acme/app"))) {
			assertThat(mirror.ensureServable(java.util.List.of(moved)).outcome()).isEqualTo(Outcome.UPDATED);
			assertThat(mirror.follow(advertised)).isTrue();
			assertThat(refs(mirror)).isEqualTo(this.fixture.upstreamRefs("acme/app"));
		}
	}

	@Test
	void aNarrowedLsRefsAnswerNeverDeletes() throws Exception {
		try (Mirror mirror = this.mirrors.open(MirrorFixture.id("acme/app"))) {
			mirror.ensureCurrent(this.fixture.advertise("acme/app"));
		}
		this.fixture.git.run(this.fixture.repositories.bare("acme/app"), "branch", "-D", "feature").assertSuccess();
		RefAdvertisementTap tap = RefAdvertisementTap.forLsRefs(1000);
		tap.write(this.fixture.lsRefsResponse("acme/app", "refs/heads/main"));
		tap.close();

		try (Mirror mirror = this.mirrors.open(MirrorFixture.id("acme/app"))) {
			assertThat(mirror.follow(tap.refs().orElseThrow())).isTrue();
			assertThat(refs(mirror)).containsKey("refs/heads/feature");
		}
	}

	private static Map<String, ObjectId> refs(Mirror mirror) throws IOException {
		Map<String, ObjectId> refs = new HashMap<>();
		mirror.repository().getRefDatabase().getRefs().forEach((ref) -> refs.put(ref.getName(), ref.getObjectId()));
		return refs;
	}

}
