package io.gitwarden.mirror;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

import io.gitwarden.mirror.RefAdvertisementTap.Status;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.transport.PacketLineOut;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The advertisement tap, on hand-made answers (fed in every split) and on a real upstream's. */
class RefAdvertisementTapTests {

	static final ObjectId MAIN = ObjectId.fromString("1111111111111111111111111111111111111111");

	static final ObjectId PULL = ObjectId.fromString("2222222222222222222222222222222222222222");

	static final ObjectId TAG = ObjectId.fromString("3333333333333333333333333333333333333333");

	static final ObjectId PEELED = ObjectId.fromString("4444444444444444444444444444444444444444");

	@TempDir
	Path tmp;

	@Test
	void readsAnUploadPackAdvertisementWithThePreamble() throws IOException {
		byte[] body = packets("# service=git-upload-pack\n", null,
				MAIN.name() + " HEAD\0multi_ack side-band-64k symref=HEAD:refs/heads/main agent=git/2.39\n",
				MAIN.name() + " refs/heads/main\n", PULL.name() + " refs/pull/1/head\n",
				TAG.name() + " refs/tags/v1\n", PEELED.name() + " refs/tags/v1^{}\n", null);

		for (int chunk : new int[] { 1, 2, 3, 5, 7, 64, body.length }) {
			RefAdvertisementTap tap = RefAdvertisementTap.forInfoRefs(100);
			feed(tap, body, chunk);
			assertThat(tap.status()).as("chunk %d", chunk).isEqualTo(Status.COMPLETE);
			AdvertisedRefs refs = tap.refs().orElseThrow();
			assertThat(refs.refs()).isEqualTo(Map.of("refs/heads/main", MAIN, "refs/tags/v1", TAG));
			assertThat(refs.complete()).isTrue();
			assertThat(tap.listedRefs()).isEqualTo(4);
		}
	}

	@Test
	void keepsWhatThePredicateAccepts() {
		byte[] body = packets("# service=git-receive-pack\n", null,
				MAIN.name() + " refs/heads/main\0report-status delete-refs ofs-delta\n",
				PULL.name() + " refs/pull/1/head\n", null);
		RefAdvertisementTap tap = RefAdvertisementTap.forInfoRefs(100, (name) -> true);
		tap.write(body, 0, body.length);
		assertThat(tap.refs().orElseThrow().refs())
			.isEqualTo(Map.of("refs/heads/main", MAIN, "refs/pull/1/head", PULL));
	}

	@Test
	void readsVersionOneAndEmptyRepositoriesAndAnswersWithoutThePreamble() {
		RefAdvertisementTap v1 = tap(packets("# service=git-upload-pack\n", null, "version 1\n",
				MAIN.name() + " refs/heads/main\0caps\n", null));
		assertThat(v1.refs().orElseThrow().refs()).isEqualTo(Map.of("refs/heads/main", MAIN));

		RefAdvertisementTap empty = tap(packets("# service=git-receive-pack\n", null,
				ObjectId.zeroId().name() + " capabilities^{}\0report-status\n", null));
		assertThat(empty.status()).isEqualTo(Status.COMPLETE);
		assertThat(empty.refs().orElseThrow().refs()).isEmpty();

		RefAdvertisementTap bare = tap(packets(MAIN.name() + " refs/heads/main\0caps\n", null));
		assertThat(bare.refs().orElseThrow().refs()).isEqualTo(Map.of("refs/heads/main", MAIN));
	}

	@Test
	void aVersionTwoAdvertisementHasCapabilitiesOnly() {
		RefAdvertisementTap withPreamble = tap(packets("# service=git-upload-pack\n", null, "version 2\n",
				"ls-refs=unborn\n", "fetch=shallow wait-for-done filter\n", null));
		assertThat(withPreamble.status()).isEqualTo(Status.CAPABILITIES_ONLY);
		assertThat(withPreamble.refs()).isEmpty();
		RefAdvertisementTap without = tap(packets("version 2\n", "agent=git/2.39\n", null));
		assertThat(without.status()).isEqualTo(Status.CAPABILITIES_ONLY);
	}

	@Test
	void readsAnLsRefsAnswer() {
		byte[] body = packets("unborn HEAD symref-target:refs/heads/trunk\n",
				MAIN.name() + " refs/heads/main\n", TAG.name() + " refs/tags/v1 peeled:" + PEELED.name() + "\n",
				PULL.name() + " refs/pull/1/head\n", null);
		RefAdvertisementTap tap = RefAdvertisementTap.forLsRefs(100);
		feed(tap, body, 3);
		assertThat(tap.status()).isEqualTo(Status.COMPLETE);
		AdvertisedRefs refs = tap.refs().orElseThrow();
		assertThat(refs.refs()).isEqualTo(Map.of("refs/heads/main", MAIN, "refs/tags/v1", TAG));
		assertThat(refs.complete()).isFalse();
		assertThat(refs.asComplete().complete()).isTrue();
	}

	@Test
	void givesUpPastTheLimitOnErrorsAndOnGarbage() {
		RefAdvertisementTap many = RefAdvertisementTap.forInfoRefs(2);
		byte[] body = packets("# service=git-upload-pack\n", null, MAIN.name() + " refs/heads/a\0caps\n",
				MAIN.name() + " refs/heads/b\n", MAIN.name() + " refs/heads/c\n", null);
		many.write(body, 0, body.length);
		assertThat(many.status()).isEqualTo(Status.TOO_MANY_REFS);
		assertThat(many.refs()).isEmpty();

		RefAdvertisementTap error = tap(packets("# service=git-upload-pack\n", null, "ERR access denied\n"));
		assertThat(error.status()).isEqualTo(Status.ERROR);
		assertThat(error.errorMessage()).isEqualTo("access denied");

		RefAdvertisementTap garbage = tap("<html>not found</html>".getBytes(StandardCharsets.UTF_8));
		assertThat(garbage.status()).isEqualTo(Status.MALFORMED);

		RefAdvertisementTap badId = tap(packets("# service=git-upload-pack\n", null, "xyz refs/heads/main\0caps\n", null));
		assertThat(badId.status()).isEqualTo(Status.MALFORMED);

		byte[] whole = packets("# service=git-upload-pack\n", null, MAIN.name() + " refs/heads/main\0caps\n", null);
		RefAdvertisementTap truncated = RefAdvertisementTap.forInfoRefs(10);
		truncated.write(whole, 0, whole.length - 4);
		assertThat(truncated.status()).isEqualTo(Status.READING);
		truncated.close();
		assertThat(truncated.status()).isEqualTo(Status.TRUNCATED);

		RefAdvertisementTap brotli = RefAdvertisementTap.forInfoRefs(10);
		assertThat(RefAdvertisementTap.decoding("br", brotli)).isSameAs(brotli);
		assertThat(brotli.status()).isEqualTo(Status.MALFORMED);
	}

	@Test
	void decodesGzipAndDeflateBodiesOnTheFly() throws IOException {
		byte[] body = packets("# service=git-upload-pack\n", null, MAIN.name() + " refs/heads/main\0caps\n",
				TAG.name() + " refs/tags/v1\n", null);

		ByteArrayOutputStream gzip = new ByteArrayOutputStream();
		try (GZIPOutputStream out = new GZIPOutputStream(gzip)) {
			out.write(body);
		}
		ByteArrayOutputStream deflate = new ByteArrayOutputStream();
		try (DeflaterOutputStream out = new DeflaterOutputStream(deflate)) {
			out.write(body);
		}
		for (int chunk : new int[] { 1, 3, 17, 4096 }) {
			assertDecoded("gzip", gzip.toByteArray(), chunk);
			assertDecoded("deflate", deflate.toByteArray(), chunk);
			assertDecoded("gzip", gzipWithEveryHeaderField(body), chunk);
		}
		assertDecoded(null, body, 5);
		assertDecoded("identity", body, 5);

		RefAdvertisementTap corrupt = RefAdvertisementTap.forInfoRefs(10);
		OutputStream decoder = RefAdvertisementTap.decoding("gzip", corrupt);
		decoder.write(new byte[] { 0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7 });
		assertThat(corrupt.status()).isEqualTo(Status.MALFORMED);
	}

	@Test
	void readsARealUpstreamsAdvertisements() throws Exception {
		try (MirrorFixture fixture = MirrorFixture.create(this.tmp)) {
			fixture.createUpstream("acme/real", 3);
			fixture.commitUpstream("acme/real", "feature", "f.txt", "f\n", false);
			Map<String, ObjectId> upstream = fixture.upstreamRefs("acme/real");

			assertThat(fixture.advertise("acme/real", "git-upload-pack").refs()).isEqualTo(upstream);
			assertThat(fixture.advertise("acme/real", "git-receive-pack").refs()).isEqualTo(upstream);

			RefAdvertisementTap lsRefs = RefAdvertisementTap.forLsRefs(100);
			byte[] answer = fixture.lsRefsResponse("acme/real", "refs/heads/", "refs/tags/");
			feed(lsRefs, answer, 11);
			assertThat(lsRefs.refs().orElseThrow().refs()).isEqualTo(upstream);
		}
	}

	private static void assertDecoded(String encoding, byte[] encoded, int chunk) throws IOException {
		RefAdvertisementTap tap = RefAdvertisementTap.forInfoRefs(10);
		OutputStream decoder = RefAdvertisementTap.decoding(encoding, tap);
		for (int offset = 0; offset < encoded.length; offset += chunk) {
			decoder.write(encoded, offset, Math.min(chunk, encoded.length - offset));
		}
		decoder.close();
		assertThat(tap.status()).as("%s in chunks of %d", encoding, chunk).isEqualTo(Status.COMPLETE);
		assertThat(tap.refs().orElseThrow().refs()).isEqualTo(Map.of("refs/heads/main", MAIN, "refs/tags/v1", TAG));
	}

	/** A gzip member with FEXTRA, FNAME, FCOMMENT and FHCRC set, which GZIPOutputStream never writes. */
	private static byte[] gzipWithEveryHeaderField(byte[] body) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.write(new byte[] { 0x1f, (byte) 0x8b, 8, 4 | 8 | 16 | 2, 0, 0, 0, 0, 0, 3 });
		out.write(new byte[] { 3, 0, 'a', 'b', 'c' });
		out.write("info-refs\0".getBytes(StandardCharsets.ISO_8859_1));
		out.write("a comment\0".getBytes(StandardCharsets.ISO_8859_1));
		out.write(new byte[] { 0x12, 0x34 });
		Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
		try (DeflaterOutputStream deflate = new DeflaterOutputStream(out, deflater)) {
			deflate.write(body);
			deflate.finish();
			CRC32 crc = new CRC32();
			crc.update(body);
			long value = crc.getValue();
			for (long trailer : new long[] { value, body.length }) {
				for (int i = 0; i < 4; i++) {
					out.write((int) (trailer >> (8 * i)) & 0xff);
				}
			}
		}
		return out.toByteArray();
	}

	private static RefAdvertisementTap tap(byte[] body) {
		RefAdvertisementTap tap = RefAdvertisementTap.forInfoRefs(100);
		feed(tap, body, new Random(body.length).nextInt(7) + 1);
		tap.close();
		return tap;
	}

	private static void feed(RefAdvertisementTap tap, byte[] body, int chunk) {
		for (int offset = 0; offset < body.length; offset += chunk) {
			tap.write(body, offset, Math.min(chunk, body.length - offset));
		}
	}

	/** pkt-lines; {@code null} is a flush, {@code "0001"} a delimiter. */
	static byte[] packets(String... lines) {
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		PacketLineOut out = new PacketLineOut(body);
		try {
			for (String line : lines) {
				if (line == null) {
					out.end();
				}
				else if (line.equals("0001")) {
					out.writeDelim();
				}
				else {
					out.writeString(line);
				}
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		return body.toByteArray();
	}

}
