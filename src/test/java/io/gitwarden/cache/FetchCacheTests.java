package io.gitwarden.cache;

import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The pieces of the fetch cache that need no server. */
class FetchCacheTests {

	@Test
	void anLsRefsListsEveryBranchAndTagWhenItsPrefixesCoverBoth() {
		assertThat(FetchCache.listsEveryMirroredRef(List.of())).isTrue();
		// what git clone and git fetch send
		assertThat(FetchCache.listsEveryMirroredRef(List.of("HEAD", "refs/heads/", "refs/tags/"))).isTrue();
		assertThat(FetchCache.listsEveryMirroredRef(List.of("refs/"))).isTrue();
		assertThat(FetchCache.listsEveryMirroredRef(List.of("refs/heads/", "refs/t"))).isTrue();
		assertThat(FetchCache.listsEveryMirroredRef(List.of("refs/heads/"))).isFalse();
		assertThat(FetchCache.listsEveryMirroredRef(List.of("refs/heads/main", "refs/tags/"))).isFalse();
		assertThat(FetchCache.listsEveryMirroredRef(List.of("HEAD"))).isFalse();
	}

	@Test
	void theAuditDetailNamesTheResultAndWhy() {
		JsonMapper json = JsonMapper.builder().build();
		ObjectNode hit = json.createObjectNode();
		CacheDetail.hit(3_000_000).writeTo(hit);
		assertThat(hit.toString()).isEqualTo("{\"cache\":\"hit\",\"cacheWaitMs\":3}");
		ObjectNode miss = json.createObjectNode();
		CacheDetail.miss(1_250_000_000).writeTo(miss);
		assertThat(miss.toString()).isEqualTo("{\"cache\":\"miss\",\"cacheWaitMs\":1250}");
		ObjectNode bypass = json.createObjectNode();
		CacheDetail.bypass("want-ref").writeTo(bypass);
		assertThat(bypass.toString()).isEqualTo("{\"cache\":\"bypass\",\"cacheBypass\":\"want-ref\"}");
	}

	@Test
	void propertiesAreChecked() {
		assertThatIllegalArgumentException().isThrownBy(() -> new CacheProperties(true, 8,
				java.time.Duration.ofSeconds(-1), org.springframework.util.unit.DataSize.ofMegabytes(16),
				org.springframework.util.unit.DataSize.ofMegabytes(2),
				org.springframework.util.unit.DataSize.ofMegabytes(8)))
			.withMessageContaining("serve-wait");
		assertThatIllegalArgumentException().isThrownBy(() -> new CacheProperties(true, 8,
				java.time.Duration.ofSeconds(1), org.springframework.util.unit.DataSize.ofKilobytes(16),
				org.springframework.util.unit.DataSize.ofMegabytes(2),
				org.springframework.util.unit.DataSize.ofMegabytes(8)))
			.withMessageContaining("window-cache-size");
	}

}
