package io.gitwarden.cache;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;

import io.gitwarden.mirror.UploadPackRequest;
import io.gitwarden.mirror.UploadPackRequestParser;
import org.eclipse.jgit.transport.PacketLineOut;

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
	void v2FetchArgumentsJGitWouldRefuseLeaveTheRequestToTheUpstream() throws Exception {
		UploadPackRequestParser parser = new UploadPackRequestParser(100);
		UploadPackRequest known = parser.parse(new ByteArrayInputStream(v2Fetch("thin-pack", "ofs-delta",
				"sideband-all", "wait-for-done", "deepen 1", "filter blob:none", "done")));
		assertThat(known.servableFromMirror()).isTrue();
		assertThat(known.unsupportedArguments()).isEmpty();
		UploadPackRequest unknown = parser.parse(new ByteArrayInputStream(v2Fetch("thin-pack", "frobnicate 3", "done")));
		assertThat(unknown.servableFromMirror()).isFalse();
		assertThat(unknown.unsupportedArguments()).containsExactly("frobnicate 3");
	}

	private static byte[] v2Fetch(String... arguments) throws IOException {
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		PacketLineOut out = new PacketLineOut(body);
		out.writeString("command=fetch\n");
		out.writeString("agent=git/2.99\n");
		out.writeString("object-format=sha1\n");
		out.writeDelim();
		out.writeString("want 0123456789abcdef0123456789abcdef01234567\n");
		for (String argument : arguments) {
			out.writeString(argument + "\n");
		}
		out.end();
		return body.toByteArray();
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
				org.springframework.util.unit.DataSize.ofKilobytes(64), org.springframework.util.unit.DataSize.ofMegabytes(2),
				org.springframework.util.unit.DataSize.ofMegabytes(8)))
			.withMessageContaining("serve-wait");
		assertThatIllegalArgumentException().isThrownBy(() -> new CacheProperties(true, 8,
				java.time.Duration.ofSeconds(1), org.springframework.util.unit.DataSize.ofKilobytes(16),
				org.springframework.util.unit.DataSize.ofKilobytes(64), org.springframework.util.unit.DataSize.ofMegabytes(2),
				org.springframework.util.unit.DataSize.ofMegabytes(8)))
			.withMessageContaining("window-cache-size");
		assertThatIllegalArgumentException().isThrownBy(() -> new CacheProperties(true, 8,
				java.time.Duration.ofSeconds(1), org.springframework.util.unit.DataSize.ofMegabytes(16),
				org.springframework.util.unit.DataSize.ofKilobytes(48), org.springframework.util.unit.DataSize.ofMegabytes(2),
				org.springframework.util.unit.DataSize.ofMegabytes(8)))
			.withMessageContaining("power of 2");
	}

}
