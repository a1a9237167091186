package io.gitwarden.cache;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import io.gitwarden.mirror.AdvertisedRefs;
import io.gitwarden.mirror.Mirror;
import io.gitwarden.mirror.MirrorProperties;
import io.gitwarden.mirror.RepositoryMirrors;
import io.gitwarden.protocol.RepositoryId;
import io.gitwarden.upstream.StaticTokenCredentials;
import io.gitwarden.upstream.UpstreamTarget;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.TreeFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The refresher applies an advertisement to the mirror after the response; a fetch that comes before it
 * ran runs it itself, so it always sees the refs its session was shown. No upstream is needed: a refresh
 * never contacts it (the upstream URL here refuses connections).
 */
class MirrorRefresherTests {

	static final RepositoryId REPOSITORY = RepositoryId.parse("acme/app");

	@TempDir
	Path tmp;

	RepositoryMirrors mirrors;

	MirrorRefresher refresher;

	ObjectId main;

	ObjectId feature;

	@BeforeEach
	void start() throws Exception {
		MirrorProperties properties = new MirrorProperties(this.tmp.resolve("mirrors"), DataSize.ofGigabytes(1),
				Duration.ofSeconds(5), 1, 10, 1000, false);
		this.mirrors = new RepositoryMirrors(properties,
				new UpstreamTarget(URI.create("http://127.0.0.1:9"), new StaticTokenCredentials("none")),
				new SimpleMeterRegistry(), Clock.systemUTC());
		this.refresher = new MirrorRefresher(this.mirrors, properties);
		try (Mirror mirror = this.mirrors.open(REPOSITORY)) {
			this.main = commit(mirror.repository(), "refs/heads/main", "main");
			this.feature = commit(mirror.repository(), "refs/heads/feature", "feature");
		}
	}

	@AfterEach
	void stop() throws InterruptedException {
		this.refresher.destroy();
		this.mirrors.destroy();
	}

	@Test
	void aFetchSeesTheRefsOfTheAdvertisementJustRelayed() throws Exception {
		for (int round = 0; round < 20; round++) {
			boolean withFeature = (round % 2) == 1;
			Map<String, ObjectId> refs = withFeature
					? Map.of("refs/heads/main", this.main, "refs/heads/feature", this.feature)
					: Map.of("refs/heads/main", this.feature);
			this.refresher.submit(REPOSITORY, new AdvertisedRefs(refs, true));
			this.refresher.await(REPOSITORY);
			try (Mirror mirror = this.mirrors.open(REPOSITORY)) {
				Repository repository = mirror.repository();
				assertThat(repository.exactRef("refs/heads/main").getObjectId()).as("round %d", round)
					.isEqualTo(withFeature ? this.main : this.feature);
				assertThat(repository.exactRef("refs/heads/feature") != null).as("round %d", round)
					.isEqualTo(withFeature);
			}
		}
		assertThat(io.gitwarden.testsupport.Eventually.await(this.refresher::idle, (idle) -> idle)).isTrue();
	}

	@Test
	void anAdvertisementOfObjectsTheMirrorLacksChangesNothingWithoutAFetch() throws Exception {
		ObjectId unknown = ObjectId.fromString("0123456789abcdef0123456789abcdef01234567");
		this.refresher.submit(REPOSITORY, new AdvertisedRefs(Map.of("refs/heads/main", unknown), false));
		this.refresher.await(REPOSITORY);
		try (Mirror mirror = this.mirrors.open(REPOSITORY)) {
			assertThat(mirror.repository().exactRef("refs/heads/main").getObjectId()).isEqualTo(this.main);
			assertThat(mirror.repository().exactRef("refs/heads/feature").getObjectId()).isEqualTo(this.feature);
		}
	}

	private static ObjectId commit(Repository repository, String ref, String message) throws IOException {
		ObjectId id;
		try (ObjectInserter inserter = repository.newObjectInserter()) {
			CommitBuilder commit = new CommitBuilder();
			commit.setTreeId(inserter.insert(new TreeFormatter()));
			PersonIdent someone = new PersonIdent("Someone", "someone@example.invalid");
			commit.setAuthor(someone);
			commit.setCommitter(someone);
			commit.setMessage(message + "\n");
			id = inserter.insert(commit);
			inserter.flush();
		}
		RefUpdate update = repository.updateRef(ref);
		update.setNewObjectId(id);
		update.forceUpdate();
		return id;
	}

}
