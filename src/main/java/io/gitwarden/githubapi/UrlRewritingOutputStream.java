package io.gitwarden.githubapi;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Replaces every occurrence of one URL prefix with another in a body as it streams through (the upstream
 * API's base in the absolute {@code url} fields of GitHub's JSON, by git-warden's own {@code /api/v3}), with
 * constant memory: at most one pattern's length is held back while it might still match (Knuth-Morris-Pratt).
 * Counts the bytes it is given and fails once more than {@code maxBytes} arrived, so a huge answer is cut
 * off instead of held.
 */
final class UrlRewritingOutputStream extends FilterOutputStream {

	private final byte[] from;

	private final byte[] to;

	private final int[] failure;

	private final long maxBytes;

	private final byte[] buffer = new byte[8192];

	private int buffered;

	private int matched;

	private long count;

	/**
	 * @param out where the rewritten body goes
	 * @param from the prefix to replace (not empty)
	 * @param to its replacement
	 * @param maxBytes most bytes accepted, before rewriting
	 */
	UrlRewritingOutputStream(OutputStream out, String from, String to, long maxBytes) {
		super(out);
		this.from = from.getBytes(StandardCharsets.UTF_8);
		this.to = to.getBytes(StandardCharsets.UTF_8);
		if (this.from.length == 0) {
			throw new IllegalArgumentException("nothing to replace");
		}
		this.failure = failure(this.from);
		this.maxBytes = maxBytes;
	}

	/** Bytes given so far, before rewriting. */
	long count() {
		return this.count;
	}

	@Override
	public void write(int b) throws IOException {
		write(new byte[] { (byte) b }, 0, 1);
	}

	@Override
	public void write(byte[] bytes, int offset, int length) throws IOException {
		this.count += length;
		if (this.count > this.maxBytes) {
			throw new TooLarge(this.maxBytes);
		}
		for (int i = offset; i < offset + length; i++) {
			byte b = bytes[i];
			while (this.matched > 0 && b != this.from[this.matched]) {
				int next = this.failure[this.matched - 1];
				emit(this.from, 0, this.matched - next);
				this.matched = next;
			}
			if (b == this.from[this.matched]) {
				this.matched++;
				if (this.matched == this.from.length) {
					emit(this.to, 0, this.to.length);
					this.matched = 0;
				}
			}
			else {
				emit(b);
			}
		}
	}

	/** Writes what is held back (the body ended) and flushes. */
	void finish() throws IOException {
		emit(this.from, 0, this.matched);
		this.matched = 0;
		drain();
		this.out.flush();
	}

	@Override
	public void flush() throws IOException {
		drain();
		this.out.flush();
	}

	@Override
	public void close() throws IOException {
		finish();
	}

	private void emit(byte b) throws IOException {
		if (this.buffered == this.buffer.length) {
			drain();
		}
		this.buffer[this.buffered++] = b;
	}

	private void emit(byte[] bytes, int offset, int length) throws IOException {
		for (int i = offset; i < offset + length; i++) {
			emit(bytes[i]);
		}
	}

	private void drain() throws IOException {
		if (this.buffered > 0) {
			this.out.write(this.buffer, 0, this.buffered);
			this.buffered = 0;
		}
	}

	private static int[] failure(byte[] pattern) {
		int[] failure = new int[pattern.length];
		int k = 0;
		for (int i = 1; i < pattern.length; i++) {
			while (k > 0 && pattern[i] != pattern[k]) {
				k = failure[k - 1];
			}
			if (pattern[i] == pattern[k]) {
				k++;
			}
			failure[i] = k;
		}
		return failure;
	}

	/** More than the allowed bytes arrived. */
	static final class TooLarge extends IOException {

		private static final long serialVersionUID = 1L;

		TooLarge(long maxBytes) {
			super("answer larger than " + maxBytes + " bytes");
		}

	}

}
