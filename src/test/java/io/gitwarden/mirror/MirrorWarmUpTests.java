package io.gitwarden.mirror;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class MirrorWarmUpTests {

	@TempDir
	Path tmp;

	@Test
	void fetchesAndServesOnThrowawayRepositoriesAndLeavesNothingBehind() throws IOException {
		Duration took = MirrorWarmUp.warmUp(this.tmp);
		assertThat(took).as("the warm-up failed; see the log").isNotNull();
		try (var left = Files.list(this.tmp)) {
			assertThat(left).isEmpty();
		}
	}

	@Test
	void aDirectoryItCannotWriteSkipsItWithoutFailing() throws IOException {
		Path missing = this.tmp.resolve("does-not-exist");
		assertThat(MirrorWarmUp.warmUp(missing)).isNull();
		assertThat(missing).doesNotExist();
	}

}
