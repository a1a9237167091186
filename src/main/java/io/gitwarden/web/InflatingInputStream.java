package io.gitwarden.web;

import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

import io.gitwarden.refusal.RefusalReason;

/**
 * Decodes a {@code gzip} request body with limits on the decoded size and on the ratio of decoded to
 * encoded bytes, so a small body cannot make git-warden inflate (or forward) gigabytes: it stops as soon
 * as a limit is passed. A body that is not gzip at all fails with a {@link BodyException} naming it.
 */
final class InflatingInputStream extends InputStream {

	/** Decoded bytes before the ratio applies: small bodies may compress well. */
	static final long RATIO_FREE_BYTES = 1024 * 1024;

	private final LimitedInputStream encoded;

	private final long maxDecoded;

	private final long maxRatio;

	private final String tooLarge;

	private InputStream decoded;

	private long count;

	InflatingInputStream(LimitedInputStream encoded, long maxDecoded, long maxRatio, String tooLarge) {
		this.encoded = encoded;
		this.maxDecoded = maxDecoded;
		this.maxRatio = maxRatio;
		this.tooLarge = tooLarge;
	}

	@Override
	public int read() throws IOException {
		byte[] one = new byte[1];
		int n = read(one, 0, 1);
		return (n < 0) ? -1 : one[0] & 0xff;
	}

	@Override
	public int read(byte[] buffer, int offset, int length) throws IOException {
		int n;
		try {
			if (this.decoded == null) {
				this.decoded = new GZIPInputStream(this.encoded, 8192);
			}
			n = this.decoded.read(buffer, offset, length);
		}
		catch (BodyException ex) {
			throw ex;
		}
		catch (ZipException | java.io.EOFException ex) {
			throw new BodyException(RefusalReason.BAD_CONTENT_ENCODING, "the body is labelled gzip but is not valid gzip",
					ex);
		}
		if (n > 0) {
			this.count += n;
			if (this.count > this.maxDecoded) {
				throw new BodyException(RefusalReason.REQUEST_TOO_LARGE, this.tooLarge, null);
			}
			if (this.count > RATIO_FREE_BYTES && this.count > this.maxRatio * Math.max(1, this.encoded.count())) {
				throw new BodyException(RefusalReason.REQUEST_TOO_LARGE,
						"gzip body inflates more than " + this.maxRatio + " times", null);
			}
		}
		return n;
	}

}
