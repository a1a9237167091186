package io.gitwarden.lfs;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;

import io.gitwarden.refusal.RefusalReason;
import io.gitwarden.upstream.ForwardRequest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class UploadBodyTests {

	static byte[] content(int size) {
		byte[] bytes = new byte[size];
		new Random(size).nextBytes(bytes);
		return bytes;
	}

	static String oid(byte[] content) throws Exception {
		return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
	}

	@Test
	void theExactObjectGoesThroughWhole() throws Exception {
		for (int size : new int[] { 0, 1, 2, 65535, 65536, 65537, 300_000 }) {
			byte[] content = content(size);
			UploadBody body = new UploadBody(new ByteArrayInputStream(content), oid(content), size);
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			body.writeTo(out);
			assertThat(out.toByteArray()).isEqualTo(content);
			assertThat(body.complete()).isTrue();
			assertThat(body.length()).isEqualTo(size);
		}
	}

	@Test
	void wrongContentNeverReachesTheUpstreamWhole() throws Exception {
		byte[] content = content(200_000);
		byte[] wrong = content.clone();
		wrong[100] ^= 1;
		assertRefusedShort(new ByteArrayInputStream(wrong), oid(content), content.length, "SHA-256");
		wrong = content.clone();
		wrong[wrong.length - 1] ^= 1;
		assertRefusedShort(new ByteArrayInputStream(wrong), oid(content), content.length, "SHA-256");
	}

	@Test
	void shorterAndLongerBodiesAreRefused() throws Exception {
		byte[] content = content(100_000);
		assertRefusedShort(new ByteArrayInputStream(Arrays.copyOf(content, content.length - 1)), oid(content),
				content.length, "the body has 99999 bytes");
		assertRefusedShort(new ByteArrayInputStream(Arrays.copyOf(content, content.length + 1)), oid(content),
				content.length, "larger than the object's size");
	}

	@Test
	void aClientThatGoesAwayAbortsTheUpload() throws Exception {
		byte[] content = content(100_000);
		InputStream broken = new InputStream() {

			int read;

			@Override
			public int read() throws IOException {
				if (this.read++ > 1000) {
					throw new IOException("reset");
				}
				return 0;
			}

		};
		ForwardRequest.BodyRefusedException refused = assertRefusedShort(broken, oid(content), content.length,
				"stopped sending");
		assertThat(refused.refusal().reason()).isEqualTo(RefusalReason.REQUEST_BODY_INCOMPLETE);
	}

	static ForwardRequest.BodyRefusedException assertRefusedShort(InputStream in, String oid, long size, String message) {
		UploadBody body = new UploadBody(in, oid, size);
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		ForwardRequest.BodyRefusedException refused = org.junit.jupiter.api.Assertions
			.assertThrows(ForwardRequest.BodyRefusedException.class, () -> body.writeTo(out));
		assertThat(refused.refusal().getMessage()).contains(message);
		assertThat(out.size()).as("the upstream never gets the whole declared length").isLessThan((int) size);
		assertThat(body.complete()).isFalse();
		return refused;
	}

	@Test
	void refusalsAreNotUpstreamFailures() {
		assertThatExceptionOfType(ForwardRequest.BodyRefusedException.class).isThrownBy(
				() -> new UploadBody(new ByteArrayInputStream(new byte[1]), "0".repeat(64), 1).writeTo(java.io.OutputStream.nullOutputStream()));
	}

}
