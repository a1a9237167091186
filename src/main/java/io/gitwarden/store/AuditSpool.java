package io.gitwarden.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The local file where audit lines wait while the database cannot take them (one line per event, as it
 * will be stored). Appends go to the end; the writer replays from {@link #readFrom} and, once every line
 * up to the end is in the database, {@link #clearIfAt} empties the file. A line cut short by a crash is
 * skipped at replay (its event was never acknowledged by the database, and it is still in the audit file).
 */
final class AuditSpool {

	private final Path file;

	private FileChannel channel;

	private long lines;

	AuditSpool(Path file) throws IOException {
		this.file = file.toAbsolutePath();
		Files.createDirectories(this.file.getParent());
		this.channel = FileChannel.open(this.file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
				StandardOpenOption.READ);
		long size = this.channel.size();
		if (size > 0) {
			ByteBuffer last = ByteBuffer.allocate(1);
			this.channel.read(last, size - 1);
			if (last.get(0) != '\n') {
				// cut short by a crash: close it, so that it is skipped at replay and the next line stands alone
				this.channel.write(ByteBuffer.wrap(new byte[] { '\n' }), size);
			}
		}
		this.channel.position(this.channel.size());
		this.lines = (this.channel.size() > 0) ? countLines() : 0;
	}

	Path file() {
		return this.file;
	}

	synchronized void append(List<byte[]> batch) throws IOException {
		int size = 0;
		for (byte[] line : batch) {
			size += line.length + 1;
		}
		ByteBuffer buffer = ByteBuffer.allocate(size);
		for (byte[] line : batch) {
			buffer.put(line).put((byte) '\n');
		}
		buffer.flip();
		long end = this.channel.size();
		while (buffer.hasRemaining()) {
			end += this.channel.write(buffer, end);
		}
		this.lines += batch.size();
	}

	/** Bytes in the file now. */
	synchronized long size() throws IOException {
		return this.channel.size();
	}

	/** Lines waiting (an estimate after a crash). */
	synchronized long lines() {
		return this.lines;
	}

	/**
	 * Up to {@code max} whole lines from {@code offset}.
	 * @return the lines and the offset after the last one
	 */
	synchronized Chunk readFrom(long offset, int max) throws IOException {
		List<byte[]> read = new ArrayList<>();
		long position = offset;
		long end = this.channel.size();
		InputStream in = Channels.newInputStream(this.channel.position(offset));
		try {
			ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
			byte[] buffer = new byte[64 * 1024];
			long consumed = offset;
			outer: while (read.size() < max && consumed < end) {
				int n = in.read(buffer, 0, (int) Math.min(buffer.length, end - consumed));
				if (n < 0) {
					break;
				}
				for (int i = 0; i < n; i++) {
					consumed++;
					if (buffer[i] == '\n') {
						read.add(line.toByteArray());
						line.reset();
						position = consumed;
						if (read.size() == max) {
							break outer;
						}
					}
					else {
						line.write(buffer[i]);
					}
				}
			}
		}
		finally {
			this.channel.position(this.channel.size());
		}
		return new Chunk(read, position);
	}

	/** Empties the file if nothing was appended after {@code offset}; true when it did. */
	synchronized boolean clearIfAt(long offset) throws IOException {
		if (this.channel.size() != offset) {
			return false;
		}
		this.channel.truncate(0);
		this.channel.position(0);
		this.lines = 0;
		return true;
	}

	synchronized void close() throws IOException {
		this.channel.force(true);
		this.channel.close();
	}

	private long countLines() throws IOException {
		long count = 0;
		long offset = 0;
		Chunk chunk;
		do {
			chunk = readFrom(offset, 10_000);
			count += chunk.lines().size();
			offset = chunk.next();
		}
		while (!chunk.lines().isEmpty());
		return count;
	}

	/**
	 * Lines read from the spool.
	 *
	 * @param lines the lines, without line feeds
	 * @param next the offset after the last line
	 */
	record Chunk(List<byte[]> lines, long next) {

	}

}
