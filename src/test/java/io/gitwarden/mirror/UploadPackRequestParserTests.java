package io.gitwarden.mirror;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

import io.gitwarden.mirror.UploadPackRequestParser.InvalidRequestException;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.gitwarden.mirror.RefAdvertisementTapTests.packets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The upload-pack request parser and the spooled, replayable, size-bounded request body. */
class UploadPackRequestParserTests {

	static final ObjectId A = ObjectId.fromString("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");

	static final ObjectId B = ObjectId.fromString("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");

	static final ObjectId C = ObjectId.fromString("cccccccccccccccccccccccccccccccccccccccc");

	final UploadPackRequestParser parser = new UploadPackRequestParser(1000);

	@TempDir
	Path tmp;

	@Test
	void readsTheWantsOfAVersionZeroRequestAndStopsAtTheFlush() throws IOException {
		byte[] body = packets("want " + A.name() + " multi_ack_detailed no-done side-band-64k thin-pack ofs-delta agent=git/2.39\n",
				"want " + B.name() + "\n", "shallow " + C.name() + "\n", "deepen 1\n", "filter blob:none\n", null,
				"have " + C.name() + "\n", "done\n");

		UploadPackRequest request = this.parser.parse(new ByteArrayInputStream(body));

		assertThat(request.protocolV2()).isFalse();
		assertThat(request.isFetch()).isTrue();
		assertThat(request.servableFromMirror()).isTrue();
		assertThat(request.wants()).isEqualTo(Set.of(A, B));
		assertThat(request.shallow()).isTrue();
		assertThat(request.filter()).isEqualTo("blob:none");
	}

	@Test
	void readsVersionTwoFetchAndLsRefs() throws IOException {
		UploadPackRequest fetch = this.parser.parse(new ByteArrayInputStream(packets("command=fetch\n",
				"agent=git/2.39\n", "object-format=sha1\n", "0001", "thin-pack\n", "ofs-delta\n",
				"want " + A.name() + "\n", "have " + C.name() + "\n", "want " + B.name() + "\n",
				"want-ref refs/heads/main\n", "done\n", null)));
		assertThat(fetch.protocolV2()).isTrue();
		assertThat(fetch.command()).isEqualTo("fetch");
		assertThat(fetch.wants()).isEqualTo(Set.of(A, B));
		assertThat(fetch.wantRefs()).isEqualTo(List.of("refs/heads/main"));
		assertThat(fetch.servableFromMirror()).as("want-ref resolves against the mirror's refs").isFalse();
		assertThat(fetch.shallow()).isFalse();

		UploadPackRequest lsRefs = this.parser.parse(new ByteArrayInputStream(
				packets("command=ls-refs\n", "agent=git/2.39\n", "0001", "peel\n", "symrefs\n",
						"ref-prefix HEAD\n", "ref-prefix refs/heads/\n", null)));
		assertThat(lsRefs.isFetch()).isFalse();
		assertThat(lsRefs.command()).isEqualTo("ls-refs");
		assertThat(lsRefs.refPrefixes()).isEqualTo(List.of("HEAD", "refs/heads/"));
		assertThat(lsRefs.wants()).isEmpty();

		UploadPackRequest noArguments = this.parser.parse(new ByteArrayInputStream(packets("command=ls-refs\n", null)));
		assertThat(noArguments.refPrefixes()).isEmpty();
	}

	@Test
	void refusesWhatIsNotAnUploadPackRequest() {
		assertInvalid(packets("want xyz\n", null));
		assertInvalid(packets("want " + A.name() + "extra\n", null));
		assertInvalid(packets("have " + A.name() + "\n", null));
		assertInvalid(packets("want " + A.name() + "\n"));
		assertInvalid("GET / HTTP/1.1\r\n".getBytes());
		assertInvalid(packets("command=\n", null));
		UploadPackRequestParser strict = new UploadPackRequestParser(1);
		assertThatExceptionOfType(InvalidRequestException.class).isThrownBy(() -> strict
			.parse(new ByteArrayInputStream(packets("want " + A.name() + "\n", "want " + B.name() + "\n", null))))
			.withMessageContaining("more than 1 wants");
	}

	@Test
	void anEmptyBodyWantsNothing() throws IOException {
		assertThat(this.parser.parse(new ByteArrayInputStream(new byte[0])).wants()).isEmpty();
	}

	@Test
	void tellsProtocolVersionTwoFromTheHeader() {
		assertThat(UploadPackRequestParser.isProtocolV2("version=2")).isTrue();
		assertThat(UploadPackRequestParser.isProtocolV2("foo=bar:version=2")).isTrue();
		assertThat(UploadPackRequestParser.isProtocolV2("version=1")).isFalse();
		assertThat(UploadPackRequestParser.isProtocolV2(null)).isFalse();
	}

	@Test
	void aGzippedBodyIsDecodedForParsingAndReplayedAsReceived() throws IOException {
		byte[] plain = packets("want " + A.name() + " side-band-64k\n", null, "done\n");
		byte[] gzipped = gzip(plain);

		try (SpooledRequestBody body = SpooledRequestBody.spool(new ByteArrayInputStream(gzipped), "gzip", 1024,
				1 << 20, 1 << 20, this.tmp)) {
			assertThat(body.isGzip()).isTrue();
			assertThat(body.rawSize()).isEqualTo(gzipped.length);
			try (InputStream decoded = body.openDecoded()) {
				assertThat(this.parser.parse(decoded).wants()).containsExactly(A);
			}
			try (InputStream again = body.openDecoded(); InputStream raw = body.openRaw()) {
				assertThat(again.readAllBytes()).isEqualTo(plain);
				assertThat(raw.readAllBytes()).isEqualTo(gzipped);
			}
		}
	}

	@Test
	void aLargeBodyGoesToAFileThatCloseDeletes() throws IOException {
		String[] lines = new String[3002];
		lines[0] = "want " + A.name() + "\n";
		lines[1] = null;
		for (int i = 2; i < lines.length; i++) {
			lines[i] = "have " + B.name() + "\n";
		}
		byte[] plain = packets(lines);

		SpooledRequestBody body = SpooledRequestBody.spool(new ByteArrayInputStream(plain), null, 4096, 1 << 20,
				1 << 20, this.tmp);
		try (Stream files = new Stream(this.tmp)) {
			assertThat(files.count()).isEqualTo(1);
		}
		try (InputStream in = body.openDecoded()) {
			assertThat(this.parser.parse(in).wants()).containsExactly(A);
		}
		try (InputStream in = body.openRaw()) {
			assertThat(in.readAllBytes()).isEqualTo(plain);
		}
		body.close();
		try (Stream files = new Stream(this.tmp)) {
			assertThat(files.count()).isZero();
		}
	}

	@Test
	void limitsTheRawAndTheDecodedSize() throws IOException {
		byte[] zeros = new byte[4 << 20];
		byte[] bomb = gzip(zeros);
		assertThat(bomb.length).isLessThan(64 * 1024);

		assertThatExceptionOfType(InvalidRequestException.class)
			.isThrownBy(() -> SpooledRequestBody.spool(new ByteArrayInputStream(zeros), null, 1024, 1 << 20, 1 << 20,
					this.tmp))
			.withMessageContaining("larger than 1048576 bytes");
		try (Stream files = new Stream(this.tmp)) {
			assertThat(files.count()).as("the partial spool file is deleted").isZero();
		}

		try (SpooledRequestBody body = SpooledRequestBody.spool(new ByteArrayInputStream(bomb), "gzip", 1024, 1 << 20,
				1 << 20, this.tmp); InputStream decoded = body.openDecoded()) {
			assertThatExceptionOfType(InvalidRequestException.class).isThrownBy(decoded::readAllBytes)
				.withMessageContaining("decoded request body larger than 1048576 bytes");
		}
		assertThatExceptionOfType(InvalidRequestException.class)
			.isThrownBy(() -> SpooledRequestBody.spool(new ByteArrayInputStream(bomb), "br", 1024, 1 << 20, 1 << 20,
					this.tmp));
	}

	private void assertInvalid(byte[] body) {
		assertThatExceptionOfType(InvalidRequestException.class)
			.isThrownBy(() -> this.parser.parse(new ByteArrayInputStream(body)));
	}

	private static byte[] gzip(byte[] plain) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
			gzip.write(plain);
		}
		return out.toByteArray();
	}

	/** The files in a directory. */
	private static final class Stream implements AutoCloseable {

		private final java.util.stream.Stream<Path> files;

		Stream(Path dir) throws IOException {
			this.files = Files.list(dir);
		}

		long count() {
			return this.files.count();
		}

		@Override
		public void close() {
			this.files.close();
		}

	}

}
