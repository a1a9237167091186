package io.gitwarden.inspect;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tee scans exactly the whole text blobs of a real pack, with the same results as scanning them
 * afterwards, however the stream is chopped into reads; and it never fails the read of a bad stream.
 */
class ScanningPackTeeTests {

	static final FakeSecrets fake = new FakeSecrets(11);

	@TempDir
	Path tmp;

	@Test
	void scansEveryWholeTextBlobLikeAScanAfterwards() throws IOException {
		PushFixture fixture = PushFixture.create(this.tmp);
		try (fixture) {
			fixture.git("switch", "-q", "-c", "agent/task");
			StringBuilder big = new StringBuilder(fake.ordinaryText(400));
			fixture.write("src/big.txt", big.toString());
			fixture.write("src/secret.env", "A=1\nTOKEN=" + fake.githubPat() + "\n");
			fixture.write("img/blob.bin", ("\0\1" + fake.githubPat()).getBytes(StandardCharsets.ISO_8859_1));
			fixture.commit("one");
			// a second version of big.txt: git sends it as a delta
			big.insert(big.length() / 2, "KEY=" + fake.stripeLiveKey() + "\n");
			fixture.write("src/big.txt", big.toString());
			String tip = fixture.commit("two");
			byte[] pack = fixture.pack(false, tip);
			Path packFile = Files.write(this.tmp.resolve("p.pack"), pack);
			fixture.git("index-pack", "-o", this.tmp.resolve("p.idx").toString(), packFile.toString());
			List<String> wholeBlobs = new ArrayList<>();
			List<String> deltaBlobs = new ArrayList<>();
			for (String line : fixture.git("verify-pack", "-v", this.tmp.resolve("p.idx").toString()).stdout().split("\n")) {
				String[] f = line.trim().split("\\s+");
				if (f.length >= 5 && f[1].equals("blob")) {
					(f.length == 5 ? wholeBlobs : deltaBlobs).add(f[0]);
				}
			}
			assertThat(deltaBlobs).as("git deltified the second big.txt").isNotEmpty();
			SecretScanner scanner = SecretScanner.builtIn();
			for (int chop : new int[] { 1, 7, 4096, Integer.MAX_VALUE }) {
				ScanningPackTee tee = new ScanningPackTee(new ChoppedInputStream(pack, chop, new Random(chop)),
						scanner.newSession(), 1 << 20);
				assertThat(tee.readAllBytes()).isEqualTo(pack);
				tee.release();
				assertThat(tee.complete()).isTrue();
				List<String> scanned = new ArrayList<>();
				for (ScanningPackTee.Scanned result : tee.results()) {
					scanned.add(result.name());
					byte[] content = fixture.run(fixture.work, "", "cat-file", "blob", result.name());
					SecretScanner.Scan afterwards = scanner.scan(new ByteArrayInputStream(content));
					assertThat(result.matches).as("chop %d, blob %s", chop, result.name())
						.isEqualTo(afterwards.matches());
				}
				List<String> textWhole = new ArrayList<>(wholeBlobs);
				textWhole.removeIf((id) -> fixture.run(fixture.work, "", "cat-file", "blob", id)[0] == 0);
				assertThat(scanned).as("chop %d", chop).containsExactlyInAnyOrderElementsOf(textWhole);
				assertThat(scanned).doesNotContainAnyElementsOf(deltaBlobs);
			}
		}
	}

	@Test
	void aStreamThatIsNotAPackIsPassedThroughUntouched() throws IOException {
		byte[] garbage = new byte[100_000];
		new Random(3).nextBytes(garbage);
		System.arraycopy("PACK\0\0\0\2\0\0\0\5".getBytes(StandardCharsets.ISO_8859_1), 0, garbage, 0, 12);
		ScanningPackTee tee = new ScanningPackTee(new ChoppedInputStream(garbage, 333, new Random(1)),
				SecretScanner.builtIn().newSession(), 1 << 20);
		assertThat(tee.readAllBytes()).isEqualTo(garbage);
		tee.release();
		assertThat(tee.complete()).isFalse();
		assertThat(tee.results().size()).isZero();
	}

	@Test
	void oversizedBlobsAreLeftToTheRules() throws IOException {
		PushFixture fixture = PushFixture.create(this.tmp);
		try (fixture) {
			fixture.write("a.txt", fake.ordinaryText(100));
			String tip = fixture.commit("a");
			byte[] pack = fixture.pack(false, tip);
			ScanningPackTee tee = new ScanningPackTee(new ByteArrayInputStream(pack), SecretScanner.builtIn().newSession(),
					100);
			tee.readAllBytes();
			tee.release();
			assertThat(tee.complete()).isTrue();
			assertThat(tee.results().get(ObjectId.fromString(fixture.rev("HEAD:a.txt")))).isNull();
		}
	}

	/** Returns reads of at most {@code chop} bytes, of random sizes. */
	static final class ChoppedInputStream extends InputStream {

		private final byte[] data;

		private final int chop;

		private final Random random;

		private int at;

		ChoppedInputStream(byte[] data, int chop, Random random) {
			this.data = data;
			this.chop = chop;
			this.random = random;
		}

		@Override
		public int read() {
			return (this.at < this.data.length) ? this.data[this.at++] & 0xff : -1;
		}

		@Override
		public int read(byte[] buffer, int offset, int length) {
			if (this.at >= this.data.length) {
				return -1;
			}
			int max = Math.min(length, Math.min(this.chop, this.data.length - this.at));
			int n = (max <= 1) ? max : 1 + this.random.nextInt(max);
			System.arraycopy(this.data, this.at, buffer, offset, n);
			this.at += n;
			return n;
		}

	}

}
