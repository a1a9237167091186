package io.gitwarden.audit;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads the lines of a file from the last to the first, a block at a time, so the newest audit events
 * are found without reading (or holding) the whole file. Lines longer than {@code maxLineBytes} are
 * skipped rather than assembled.
 */
final class ReverseLineReader implements Closeable {

	private static final int BLOCK = 64 * 1024;

	private final FileChannel channel;

	private final int maxLineBytes;

	private final byte[] block = new byte[BLOCK];

	private long position;

	private int blockStart;

	private int blockEnd;

	private boolean started;

	private boolean done;

	/**
	 * @param channel the file, owned (closed) by this reader
	 * @param end read the bytes before this position only (a line being written after it is ignored)
	 */
	ReverseLineReader(FileChannel channel, long end, int maxLineBytes) {
		this.channel = channel;
		this.position = end;
		this.maxLineBytes = maxLineBytes;
	}

	/** The previous line without its line feed, or {@code null} at the start of the file. */
	byte[] previous() throws IOException {
		while (!this.done) {
			if (!this.started) {
				this.started = true;
				int last = readBack();
				if (last < 0) {
					this.done = true;
					return null;
				}
				if (last != '\n') {
					unread(); // no final line feed: the last line is read all the same
				}
			}
			ByteArrayOutputStream reversed = new ByteArrayOutputStream(256);
			int length = 0;
			for (int b = readBack(); b != '\n'; b = readBack()) {
				if (b < 0) {
					this.done = true;
					break;
				}
				length++;
				if (length <= this.maxLineBytes) {
					reversed.write(b);
				}
			}
			if (length > this.maxLineBytes) {
				continue;
			}
			byte[] bytes = reversed.toByteArray();
			for (int i = 0, j = bytes.length - 1; i < j; i++, j--) {
				byte t = bytes[i];
				bytes[i] = bytes[j];
				bytes[j] = t;
			}
			return bytes;
		}
		return null;
	}

	private int readBack() throws IOException {
		if (this.blockEnd == this.blockStart && !fill()) {
			return -1;
		}
		return this.block[--this.blockEnd] & 0xff;
	}

	private void unread() {
		this.blockEnd++;
	}

	private boolean fill() throws IOException {
		if (this.position == 0) {
			return false;
		}
		int size = (int) Math.min(BLOCK, this.position);
		this.position -= size;
		ByteBuffer buffer = ByteBuffer.wrap(this.block, 0, size);
		while (buffer.hasRemaining()) {
			if (this.channel.read(buffer, this.position + buffer.position()) < 0) {
				throw new IOException("file shrank while read");
			}
		}
		this.blockStart = 0;
		this.blockEnd = size;
		return true;
	}

	@Override
	public void close() throws IOException {
		this.channel.close();
	}

}
