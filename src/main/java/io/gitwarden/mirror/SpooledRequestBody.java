package io.gitwarden.mirror;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

import io.gitwarden.mirror.UploadPackRequestParser.InvalidRequestException;

/**
 * A request body kept so it can be read more than once: first to look at it (the wants of an
 * upload-pack request), then to serve it from a mirror or to forward it unchanged to the upstream.
 * Bodies up to {@code memoryThreshold} bytes stay on the heap, larger ones go to a temporary file that
 * {@link #close()} deletes. git sends upload-pack requests up to {@code http.postBuffer} (1 MiB) with a
 * {@code Content-Length}, gzipped from 1 KiB on; longer negotiations arrive chunked, and grow with the
 * number of {@code have} lines.
 */
public final class SpooledRequestBody implements AutoCloseable {

	private static final int COPY_BUFFER = 16 * 1024;

	private final byte[] memory;

	private final Path file;

	private final long rawSize;

	private final boolean gzip;

	private final long maxDecodedBytes;

	private SpooledRequestBody(byte[] memory, Path file, long rawSize, boolean gzip, long maxDecodedBytes) {
		this.memory = memory;
		this.file = file;
		this.rawSize = rawSize;
		this.gzip = gzip;
		this.maxDecodedBytes = maxDecodedBytes;
	}

	/**
	 * Reads {@code raw} to its end (it is not closed).
	 * @param contentEncoding the request's {@code Content-Encoding}: none, {@code identity} or
	 * {@code gzip}
	 * @param memoryThreshold bodies larger than this go to a file in {@code tempDir}
	 * @param maxRawBytes most bytes read; a longer body is refused
	 * @param maxDecodedBytes most bytes {@link #openDecoded()} yields (a gzip body can inflate a lot)
	 * @throws InvalidRequestException when the body is too large or its encoding is not supported
	 */
	public static SpooledRequestBody spool(InputStream raw, String contentEncoding, int memoryThreshold,
			long maxRawBytes, long maxDecodedBytes, Path tempDir) throws IOException {
		boolean gzip = isGzip(contentEncoding);
		ByteArrayOutputStream head = new ByteArrayOutputStream(Math.min(memoryThreshold, 8192));
		byte[] buffer = new byte[COPY_BUFFER];
		long total = 0;
		Path file = null;
		OutputStream out = head;
		try {
			for (int n = raw.read(buffer); n >= 0; n = raw.read(buffer)) {
				total += n;
				if (total > maxRawBytes) {
					throw new InvalidRequestException("request body larger than " + maxRawBytes + " bytes");
				}
				if (file == null && total > memoryThreshold) {
					file = Files.createTempFile(tempDir, "upload-pack-", ".body");
					out = Files.newOutputStream(file);
					head.writeTo(out);
					head = null;
				}
				out.write(buffer, 0, n);
			}
			if (file != null) {
				out.close();
				return new SpooledRequestBody(null, file, total, gzip, maxDecodedBytes);
			}
			return new SpooledRequestBody(head.toByteArray(), null, total, gzip, maxDecodedBytes);
		}
		catch (IOException | RuntimeException ex) {
			if (file != null) {
				out.close();
				Files.deleteIfExists(file);
			}
			throw ex;
		}
	}

	private static boolean isGzip(String contentEncoding) throws InvalidRequestException {
		String encoding = (contentEncoding != null) ? contentEncoding.trim().toLowerCase(Locale.ROOT) : "";
		return switch (encoding) {
			case "", "identity" -> false;
			case "gzip", "x-gzip" -> true;
			default -> throw new InvalidRequestException("content encoding " + encoding + " is not supported");
		};
	}

	/** The body as received (still gzipped if it was): for forwarding with its {@code Content-Encoding}. */
	public InputStream openRaw() throws IOException {
		return (this.memory != null) ? new ByteArrayInputStream(this.memory) : Files.newInputStream(this.file);
	}

	/**
	 * The body decoded (gunzipped when it was gzipped), failing with {@link InvalidRequestException}
	 * past the decoded-size bound: for parsing, and for serving from a mirror.
	 */
	public InputStream openDecoded() throws IOException {
		InputStream raw = openRaw();
		if (!this.gzip) {
			return raw;
		}
		try {
			return new Bounded(new GZIPInputStream(raw, 8192), this.maxDecodedBytes);
		}
		catch (IOException ex) {
			raw.close();
			throw new InvalidRequestException("request body is not valid gzip");
		}
	}

	/** Bytes as received. */
	public long rawSize() {
		return this.rawSize;
	}

	/** True when the body is gzipped (and must be forwarded with {@code Content-Encoding: gzip}). */
	public boolean isGzip() {
		return this.gzip;
	}

	/** Deletes the temporary file, if any. */
	@Override
	public void close() throws IOException {
		if (this.file != null) {
			Files.deleteIfExists(this.file);
		}
	}

	/** Fails once more than {@code limit} bytes were read. */
	private static final class Bounded extends FilterInputStream {

		private final long limit;

		private long count;

		Bounded(InputStream in, long limit) {
			super(in);
			this.limit = limit;
		}

		@Override
		public int read() throws IOException {
			int b = super.read();
			if (b >= 0) {
				count(1);
			}
			return b;
		}

		@Override
		public int read(byte[] buffer, int offset, int length) throws IOException {
			int n = super.read(buffer, offset, length);
			if (n > 0) {
				count(n);
			}
			return n;
		}

		@Override
		public long skip(long n) throws IOException {
			long skipped = super.skip(n);
			count(skipped);
			return skipped;
		}

		private void count(long n) throws InvalidRequestException {
			this.count += n;
			if (this.count > this.limit) {
				throw new InvalidRequestException("decoded request body larger than " + this.limit + " bytes");
			}
		}

	}

}
