package io.gitwarden.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class AuditLinesTests {

	@TempDir
	Path tmp;

	@Test
	void aLineStillBeingWrittenIsLeftForTheNextRead() throws IOException {
		Path file = this.tmp.resolve("audit.jsonl");
		assertThat(AuditLines.read(file)).isEmpty();
		Files.writeString(file, "{\"a\":1}\n{\"b\":");
		assertThat(AuditLines.read(file)).containsExactly("{\"a\":1}");
		Files.writeString(file, "{\"a\":1}\n{\"b\":2}\n");
		assertThat(AuditLines.read(file)).containsExactly("{\"a\":1}", "{\"b\":2}");
	}

}
