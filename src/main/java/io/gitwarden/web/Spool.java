package io.gitwarden.web;

import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A request body kept for git-warden to read it and then forward the exact bytes: the first
 * {@value #MEMORY_BYTES} bytes in memory, the rest in a temporary file, so a small request never touches
 * the disk and a large one never the heap. Written once, then read any number of times; closing deletes
 * the file.
 */
public final class Spool extends OutputStream implements Closeable {

	/** Bytes kept in memory before the spool moves to a file. */
	static final int MEMORY_BYTES = 64 * 1024;

	private final Path directory;

	private byte[] memory = new byte[1024];

	private int memoryLength;

	private Path file;

	private OutputStream fileOut;

	private long length;

	private boolean closed;

	Spool(Path directory) {
		this.directory = directory;
	}

	@Override
	public void write(int b) throws IOException {
		write(new byte[] { (byte) b }, 0, 1);
	}

	@Override
	public void write(byte[] buffer, int offset, int count) throws IOException {
		if (count == 0) {
			return;
		}
		if (this.fileOut == null && this.memoryLength + count <= MEMORY_BYTES) {
			if (this.memoryLength + count > this.memory.length) {
				this.memory = Arrays.copyOf(this.memory,
						Math.min(MEMORY_BYTES, Math.max(this.memory.length * 2, this.memoryLength + count)));
			}
			System.arraycopy(buffer, offset, this.memory, this.memoryLength, count);
			this.memoryLength += count;
		}
		else {
			if (this.fileOut == null) {
				Files.createDirectories(this.directory);
				this.file = Files.createTempFile(this.directory, "body-", ".spool");
				this.fileOut = Files.newOutputStream(this.file, StandardOpenOption.WRITE);
			}
			this.fileOut.write(buffer, offset, count);
		}
		this.length += count;
	}

	/** Ends writing; the spool can be read from now on. */
	public Spool finish() throws IOException {
		if (this.fileOut != null) {
			this.fileOut.close();
			this.fileOut = null;
		}
		return this;
	}

	/** Bytes written. */
	public long length() {
		return this.length;
	}

	/** Reads the spooled bytes from {@code offset} to the end. */
	public InputStream open(long offset) throws IOException {
		if (this.closed) {
			throw new IOException("spool closed");
		}
		if (offset < this.memoryLength) {
			InputStream head = new ByteArrayInputStream(this.memory, (int) offset, this.memoryLength - (int) offset);
			return (this.file != null) ? new SequenceInputStream(head, fileStream(0)) : head;
		}
		return (this.file != null) ? fileStream(offset - this.memoryLength) : InputStream.nullInputStream();
	}

	private InputStream fileStream(long position) throws IOException {
		FileChannel channel = FileChannel.open(this.file, StandardOpenOption.READ);
		channel.position(position);
		return Channels.newInputStream(channel);
	}

	/** Copies the whole spool to {@code out}. */
	public void writeTo(OutputStream out) throws IOException {
		out.write(this.memory, 0, this.memoryLength);
		if (this.file != null) {
			byte[] buffer = new byte[64 * 1024];
			try (InputStream in = fileStream(0)) {
				for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
					out.write(buffer, 0, n);
				}
			}
		}
	}

	@Override
	public void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		this.memory = null;
		try {
			if (this.fileOut != null) {
				this.fileOut.close();
			}
		}
		catch (IOException ignored) {
			// deleting it anyway
		}
		if (this.file != null) {
			try {
				Files.deleteIfExists(this.file);
			}
			catch (IOException ignored) {
				this.file.toFile().deleteOnExit();
			}
		}
	}

}
