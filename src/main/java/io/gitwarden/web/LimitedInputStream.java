package io.gitwarden.web;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

import io.gitwarden.refusal.RefusalReason;

/**
 * A client's request body read under limits: at most {@code maxBytes}, at an average rate of at least
 * {@code minRate} bytes per second once {@code graceNanos} have passed, and never past a deadline.
 * Each read can still block for the server's upload timeout; the checks run after it returns.
 * Failures of the client's stream become {@link BodyException}s that name the cause.
 */
final class LimitedInputStream extends FilterInputStream {

	private final long maxBytes;

	private final long minRate;

	private final long graceNanos;

	private final long deadline;

	private final long started = System.nanoTime();

	private final String tooLarge;

	private long count;

	/**
	 * @param deadlineNanos an absolute {@link System#nanoTime()} deadline, or {@link Long#MAX_VALUE}
	 */
	LimitedInputStream(InputStream in, long maxBytes, String tooLarge, long minRate, long graceNanos,
			long deadlineNanos) {
		super(in);
		this.maxBytes = maxBytes;
		this.tooLarge = tooLarge;
		this.minRate = minRate;
		this.graceNanos = graceNanos;
		this.deadline = deadlineNanos;
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
			n = this.in.read(buffer, offset, length);
		}
		catch (BodyException ex) {
			throw ex;
		}
		catch (IOException ex) {
			throw new BodyException(RefusalReason.REQUEST_BODY_INCOMPLETE, "the client's connection failed", ex);
		}
		if (n > 0) {
			this.count += n;
			if (this.count > this.maxBytes) {
				throw new BodyException(RefusalReason.REQUEST_TOO_LARGE, this.tooLarge, null);
			}
		}
		long now = System.nanoTime();
		if (now - this.deadline > 0) {
			throw new BodyException(RefusalReason.REQUEST_BODY_INCOMPLETE, "time limit reached", null);
		}
		long elapsed = now - this.started;
		if (this.minRate > 0 && elapsed > this.graceNanos && this.count * 1_000_000_000.0 / elapsed < this.minRate) {
			throw new BodyException(RefusalReason.REQUEST_BODY_INCOMPLETE,
					"sent slower than " + this.minRate + " bytes per second", null);
		}
		return n;
	}

	@Override
	public long skip(long n) throws IOException {
		byte[] buffer = new byte[(int) Math.min(n, 8192)];
		int read = read(buffer, 0, buffer.length);
		return Math.max(read, 0);
	}

	/** Bytes read so far. */
	long count() {
		return this.count;
	}

}
