package io.gitwarden.audit;

import java.io.Closeable;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The single writer of the audit trail. Every line is written under one lock, in one {@code write}, so
 * lines never interleave and each carries the hash of the line before it ({@link AuditChain}).
 *
 * <p>Durability: a line is handed to the operating system before {@link #append} returns (no buffering
 * in the JVM), so it survives the JVM dying; with {@code warden.audit.fsync=true} it is also forced to
 * the device, which survives the machine dying at the cost of one {@code fdatasync} per request.
 *
 * <p>Three targets:
 * <ul>
 * <li>a regular file (or one to be created): rotated at {@code max-file-size} to {@code FILE.1} ...
 * {@code FILE.<max-files>}; the chain continues across files and across restarts (it resumes from the
 * last line of the existing file);</li>
 * <li>{@code /dev/stdout}: written through {@link System#out} while holding its lock, so a line does not
 * interleave with console log output either; no rotation, no reading back, and each start of the
 * process begins a new chain at {@link AuditChain#GENESIS};</li>
 * <li>any other path that exists and is not a regular file (a FIFO, {@code /dev/stderr}): appended to,
 * like {@code /dev/stdout} otherwise.</li>
 * </ul>
 */
final class AuditLog implements Closeable {

	private static final Log logger = LogFactory.getLog(AuditLog.class);

	static final Path STDOUT = Path.of("/dev/stdout");

	/** Longest line read back; the writer never writes one near this long. */
	static final int MAX_LINE_BYTES = 1024 * 1024;

	private final JsonMapper json;

	private final Path file;

	private final long maxFileSize;

	private final int maxFiles;

	private final boolean fsync;

	private final Target target;

	private final ReentrantLock lock = new ReentrantLock();

	private FileChannel channel;

	private OutputStream stream;

	private long size;

	private String lastHash;

	AuditLog(AuditProperties properties, JsonMapper json) throws IOException {
		this.json = json;
		this.file = properties.file();
		this.maxFileSize = properties.maxFileSize().toBytes();
		this.maxFiles = properties.maxFiles();
		this.fsync = properties.fsync();
		if (this.file.equals(STDOUT)) {
			this.target = Target.STDOUT;
			this.lastHash = AuditChain.GENESIS;
		}
		else if (Files.exists(this.file) && !Files.isRegularFile(this.file)) {
			this.target = Target.STREAM;
			this.stream = new FileOutputStream(this.file.toFile(), true);
			this.lastHash = AuditChain.GENESIS;
		}
		else {
			this.target = Target.FILE;
			Path parent = this.file.toAbsolutePath().getParent();
			if (parent != null) {
				Files.createDirectories(parent);
			}
			this.lastHash = resumeChain();
			open();
		}
	}

	/** Where lines go. */
	enum Target {

		FILE, STDOUT, STREAM

	}

	Target target() {
		return this.target;
	}

	/**
	 * Adds {@code prev} to the event and writes it as one line.
	 * @return the line as written, without its line feed
	 */
	byte[] append(RecordedEvent event) throws IOException {
		this.lock.lock();
		try {
			byte[] json = event.line(null, 0, this.lastHash);
			byte[] line = new byte[json.length + 1];
			System.arraycopy(json, 0, line, 0, json.length);
			line[json.length] = '\n';
			write(line);
			this.lastHash = AuditChain.sha256(json);
			return json;
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Limits and writes an event (for tests and tools; the application goes through {@link AuditTrail}). */
	byte[] append(ObjectNode event) throws IOException {
		return append(new AuditEventLimits(this.json).prepare(event));
	}

	private void write(byte[] line) throws IOException {
		switch (this.target) {
			case STDOUT -> {
				PrintStream out = System.out;
				synchronized (out) {
					out.write(line, 0, line.length);
					out.flush();
				}
			}
			case STREAM -> {
				this.stream.write(line);
				this.stream.flush();
			}
			case FILE -> {
				if (this.size > 0 && this.size + line.length > this.maxFileSize) {
					rotate();
				}
				ByteBuffer buffer = ByteBuffer.wrap(line);
				while (buffer.hasRemaining()) {
					this.channel.write(buffer);
				}
				this.size += line.length;
				if (this.fsync) {
					this.channel.force(false);
				}
			}
		}
	}

	/**
	 * The files to read, newest first, opened while no line is being written, each with the length to
	 * read: a query sees whole lines only, and a rotation during the query does not move them away.
	 * @throws UnsupportedOperationException when the target cannot be read back
	 */
	List<ReverseLineReader> openNewestFirst() throws IOException {
		if (this.target != Target.FILE) {
			throw new UnsupportedOperationException("audit events are written to " + this.file
					+ " and cannot be read back; query the log store that collects them");
		}
		List<ReverseLineReader> readers = new ArrayList<>();
		this.lock.lock();
		try {
			for (Path path : filesNewestFirst()) {
				FileChannel read = FileChannel.open(path, StandardOpenOption.READ);
				readers.add(new ReverseLineReader(read, read.size(), MAX_LINE_BYTES));
			}
		}
		catch (IOException ex) {
			for (ReverseLineReader reader : readers) {
				reader.close();
			}
			throw ex;
		}
		finally {
			this.lock.unlock();
		}
		return readers;
	}

	/**
	 * The files to verify, oldest first, each with the length written so far (taken while no line is being
	 * written, so each ends with a whole line).
	 * @throws UnsupportedOperationException when the target cannot be read back
	 */
	List<AuditVerifier.Segment> segmentsOldestFirst() throws IOException {
		if (this.target != Target.FILE) {
			throw new UnsupportedOperationException("audit events are written to " + this.file
					+ " and cannot be read back");
		}
		List<AuditVerifier.Segment> segments = new ArrayList<>();
		this.lock.lock();
		try {
			for (Path path : filesNewestFirst()) {
				segments.add(0, new AuditVerifier.Segment(path, Files.size(path)));
			}
		}
		finally {
			this.lock.unlock();
		}
		return segments;
	}

	/** The current file and the rotated ones that exist, newest first. */
	List<Path> filesNewestFirst() {
		List<Path> files = new ArrayList<>();
		if (Files.exists(this.file)) {
			files.add(this.file);
		}
		for (int i = 1; i <= this.maxFiles; i++) {
			Path rotated = rotated(i);
			if (!Files.exists(rotated)) {
				break;
			}
			files.add(rotated);
		}
		return files;
	}

	private Path rotated(int index) {
		return this.file.resolveSibling(this.file.getFileName() + "." + index);
	}

	private void rotate() throws IOException {
		this.channel.close();
		Files.deleteIfExists(rotated(this.maxFiles));
		for (int i = this.maxFiles - 1; i >= 1; i--) {
			if (Files.exists(rotated(i))) {
				Files.move(rotated(i), rotated(i + 1), StandardCopyOption.REPLACE_EXISTING);
			}
		}
		Files.move(this.file, rotated(1), StandardCopyOption.REPLACE_EXISTING);
		open();
		logger.info("Audit file rotated to " + rotated(1));
	}

	private void open() throws IOException {
		this.channel = FileChannel.open(this.file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
				StandardOpenOption.APPEND);
		this.size = this.channel.size();
		if (this.size > 0 && !endsWithLineFeed()) {
			// A line cut short (the machine died mid-write): end it, so the next line stands on its own.
			// The verifier reports the cut line; the chain goes on from it as it is.
			this.channel.write(ByteBuffer.wrap(new byte[] { '\n' }));
			this.size++;
		}
	}

	private boolean endsWithLineFeed() throws IOException {
		ByteBuffer last = ByteBuffer.allocate(1);
		try (FileChannel read = FileChannel.open(this.file, StandardOpenOption.READ)) {
			read.read(last, this.size - 1);
		}
		return last.get(0) == '\n';
	}

	/** The hash of the last line written before this start, from the newest file that has one. */
	private String resumeChain() throws IOException {
		for (Path path : filesNewestFirst()) {
			try (ReverseLineReader reader = new ReverseLineReader(FileChannel.open(path, StandardOpenOption.READ),
					Files.size(path), MAX_LINE_BYTES)) {
				for (byte[] line = reader.previous(); line != null; line = reader.previous()) {
					if (line.length > 0) {
						return AuditChain.sha256(line);
					}
				}
			}
		}
		return AuditChain.GENESIS;
	}

	@Override
	public void close() throws IOException {
		this.lock.lock();
		try {
			if (this.channel != null) {
				this.channel.close();
			}
			if (this.stream != null) {
				this.stream.close();
			}
		}
		finally {
			this.lock.unlock();
		}
	}

}
