package io.gitwarden.protocol;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Keeps a copy of every byte read, up to a limit, so the command section can be forwarded exactly as
 * the client sent it (ref names need not be UTF-8; a re-encoding could differ). Reading past the limit
 * fails instead of growing without bound.
 */
final class CapturingInputStream extends FilterInputStream {

	private final ByteArrayOutputStream copy = new ByteArrayOutputStream(256);

	private final int limit;

	private boolean sourceFailed;

	CapturingInputStream(InputStream in, int limit) {
		super(in);
		this.limit = limit;
	}

	@Override
	public int read() throws IOException {
		ensureRoom(1);
		int b = readSource(() -> super.read());
		if (b >= 0) {
			this.copy.write(b);
		}
		return b;
	}

	@Override
	public int read(byte[] buffer, int offset, int length) throws IOException {
		ensureRoom(1);
		int n = readSource(() -> super.read(buffer, offset, Math.min(length, this.limit - this.copy.size())));
		if (n > 0) {
			this.copy.write(buffer, offset, n);
		}
		return n;
	}

	private int readSource(Read read) throws IOException {
		try {
			return read.read();
		}
		catch (IOException ex) {
			this.sourceFailed = true;
			throw ex;
		}
	}

	/**
	 * True when an I/O error came from the underlying stream (a client that went away), as opposed to
	 * a parse error raised by the pkt-line reader on bytes that were read fine.
	 */
	boolean sourceFailed() {
		return this.sourceFailed;
	}

	@FunctionalInterface
	private interface Read {

		int read() throws IOException;

	}

	@Override
	public long skip(long n) throws IOException {
		throw new IOException("skip is not supported while capturing");
	}

	private void ensureRoom(int wanted) throws CommandSectionTooLargeException {
		if (this.copy.size() + wanted > this.limit) {
			throw new CommandSectionTooLargeException();
		}
	}

	byte[] captured() {
		return this.copy.toByteArray();
	}

	int size() {
		return this.copy.size();
	}

	/** Thrown through JGit's reader when the limit is reached; translated by the parser. */
	static final class CommandSectionTooLargeException extends IOException {

		private static final long serialVersionUID = 1L;

	}

}
