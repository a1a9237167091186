package io.gitwarden.lfs;

import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class LfsRouteTests {

	static final String OID = "a".repeat(64);

	@Test
	void batchWithAndWithoutGitSuffix() {
		assertThat(LfsRoute.parse("/acme/app.git/info/lfs/objects/batch", 8))
			.hasValueSatisfying((route) -> {
				assertThat(route.repository().path()).isEqualTo("acme/app");
				assertThat(route.kind()).isEqualTo(LfsRoute.Kind.BATCH);
			});
		assertThat(LfsRoute.parse("/acme/app/info/lfs/objects/batch", 8).orElseThrow().repository().path())
			.isEqualTo("acme/app");
	}

	@Test
	void nestedRepositoriesUpToTheDepth() {
		assertThat(LfsRoute.parse("/group/sub/project.git/info/lfs/locks", 3).orElseThrow().repository().path())
			.isEqualTo("group/sub/project");
		assertThat(LfsRoute.parse("/group/sub/project.git/info/lfs/locks", 2)).isEmpty();
	}

	@Test
	void locksAndTransfers() {
		assertThat(LfsRoute.parse("/a/b.git/info/lfs/locks/verify", 8).orElseThrow().kind())
			.isEqualTo(LfsRoute.Kind.LOCKS_VERIFY);
		LfsRoute unlock = LfsRoute.parse("/a/b.git/info/lfs/locks/1a2b-3c/unlock", 8).orElseThrow();
		assertThat(unlock.kind()).isEqualTo(LfsRoute.Kind.UNLOCK);
		assertThat(unlock.argument()).isEqualTo("1a2b-3c");
		LfsRoute transfer = LfsRoute.parse("/a/b.git/info/lfs/transfer/" + OID, 8).orElseThrow();
		assertThat(transfer.kind()).isEqualTo(LfsRoute.Kind.TRANSFER);
		assertThat(transfer.argument()).isEqualTo(OID);
		assertThat(transfer.operation("PUT")).isEqualTo("lfs-upload");
		assertThat(transfer.operation("GET")).isEqualTo("lfs-download");
		assertThat(LfsRoute.parse("/a/b.git/info/lfs/transfer/" + OID + "/verify", 8).orElseThrow().kind())
			.isEqualTo(LfsRoute.Kind.TRANSFER_VERIFY);
	}

	@Test
	void aRepositoryNamedInfoLfs() {
		assertThat(LfsRoute.parse("/info/lfs/info/lfs/objects/batch", 8).orElseThrow().repository().path())
			.isEqualTo("info/lfs");
	}

	@ParameterizedTest
	@ValueSource(strings = { "/acme/app.git/info/refs", "/acme/app.git/git-upload-pack",
			"/acme/app.git/info/lfs/objects", "/acme/app.git/info/lfs/objects/batch/x",
			"/acme/app.git/info/lfs/objects/" + "a", "/acme/app.git/info/lfs/transfer/ABC",
			"/acme/app.git/info/lfs/transfer/" + "A" + "a", "/acme/app.git/info/lfs/locks/a%2Fb/unlock",
			"/acme/a%2e%2e/info/lfs/objects/batch", "/acme/../x/info/lfs/objects/batch", "/info/lfs/objects/batch",
			"/acme/info/lfs/x.git/info/refs", "/app.git/info/lfs/objects/batch", "acme/app/info/lfs/locks", "" })
	void notLfsRoutes(String path) {
		assertThat(LfsRoute.parse(path, 8)).isEqualTo(Optional.empty());
	}

	@Test
	void methods() {
		assertThat(LfsRoute.Kind.BATCH.accepts("POST")).isTrue();
		assertThat(LfsRoute.Kind.BATCH.accepts("GET")).isFalse();
		assertThat(LfsRoute.Kind.LOCKS.accepts("GET")).isTrue();
		assertThat(LfsRoute.Kind.LOCKS.accepts("DELETE")).isFalse();
		assertThat(LfsRoute.Kind.TRANSFER.accepts("PUT")).isTrue();
		assertThat(LfsRoute.Kind.TRANSFER.accepts("POST")).isFalse();
	}

}
