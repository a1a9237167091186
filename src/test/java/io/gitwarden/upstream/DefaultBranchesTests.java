package io.gitwarden.upstream;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Reading the default branch from the first line of a v0 upload-pack advertisement, and nothing more. */
class DefaultBranchesTests {

	static final String ID = "1".repeat(40);

	static String pkt(String line) {
		return String.format("%04x", line.length() + 4) + line;
	}

	static InputStream advertisement(String firstRefLine) {
		return new ByteArrayInputStream((pkt("# service=git-upload-pack\n") + "0000" + pkt(firstRefLine))
			.getBytes(StandardCharsets.UTF_8));
	}

	@Test
	void theSymrefCapabilityOfTheFirstLineNamesTheDefaultBranch() throws IOException {
		assertThat(DefaultBranches.defaultBranch(advertisement(ID
				+ " HEAD\0multi_ack thin-pack side-band symref=HEAD:refs/heads/trunk object-format=sha1 agent=git/2.39\n")))
			.isEqualTo("trunk");
		assertThat(DefaultBranches.defaultBranch(advertisement(ID + " HEAD\0symref=HEAD:refs/heads/release/2.x\n")))
			.isEqualTo("release/2.x");
	}

	@Test
	void noSymrefMeansUnknown() throws IOException {
		// a detached HEAD, an empty repository, a server that does not say
		assertThat(DefaultBranches.defaultBranch(advertisement(ID + " HEAD\0multi_ack side-band-64k\n"))).isNull();
		assertThat(DefaultBranches.defaultBranch(
				advertisement("0".repeat(40) + " capabilities^{}\0report-status\n"))).isNull();
		assertThat(DefaultBranches.defaultBranch(advertisement(ID + " HEAD\0symref=HEAD:refs/heads/a..b\n"))).isNull();
		assertThat(DefaultBranches.defaultBranch(new ByteArrayInputStream(
				(pkt("# service=git-upload-pack\n") + "0000" + "0000").getBytes(StandardCharsets.UTF_8)))).isNull();
		assertThat(DefaultBranches.defaultBranch(new ByteArrayInputStream(
				(pkt("version 2\n") + pkt("ls-refs\n") + "0000").getBytes(StandardCharsets.UTF_8)))).isNull();
		assertThat(DefaultBranches.defaultBranch(new ByteArrayInputStream(
				(pkt("# service=git-upload-pack\n") + "0000").getBytes(StandardCharsets.UTF_8)))).isNull();
		assertThat(DefaultBranches.defaultBranch(InputStream.nullInputStream())).isNull();
	}

	@Test
	void readsOnlyTheFirstRefLine() throws IOException {
		InputStream endless = new InputStream() {

			@Override
			public int read() {
				throw new AssertionError("read past the first ref line");
			}

		};
		assertThat(DefaultBranches.defaultBranch(new SequenceInputStream(
				advertisement(ID + " HEAD\0symref=HEAD:refs/heads/main\n"), endless)))
			.isEqualTo("main");
	}

}
