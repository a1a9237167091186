package io.gitwarden.auth;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;

import io.gitwarden.config.InvalidConfigurationException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Keeps revocations in a local JSON-lines file ({@code warden.revocations.file}) for an instance without
 * the shared store. Each revocation is appended and forced to the device before the admin API answers
 * 204; at start the file is read back (entries that expired are dropped) and rewritten compactly, and it
 * is compacted again whenever it grows past twice the table's capacity. Lines:
 * <pre>
 * {"session":"ses_1","revokedAt":"2026-05-04T09:12:33Z","keepUntil":"2026-05-05T09:13:03Z"}
 * {"revokedBefore":"2026-05-04T08:00:00Z"}   (the watermark, when the table overflowed)
 * </pre>
 * A damaged line (the machine died while it was written, so it was never acknowledged) is skipped with a
 * warning.
 */
final class FileRevocationStore implements RevocationStore {

	static final String PROPERTY = "warden.revocations.file";

	private static final Log logger = LogFactory.getLog(FileRevocationStore.class);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** Longer lines are not revocations this class wrote. */
	private static final int MAX_LINE = 4096;

	private final Path file;

	private SessionRevocations table;

	private FileChannel channel;

	private long lines;

	FileRevocationStore(Path file) {
		this.file = file.toAbsolutePath();
	}

	@Override
	public synchronized void start(SessionRevocations table) {
		this.table = table;
		try {
			Files.createDirectories(this.file.getParent());
			if (Files.exists(this.file)) {
				load();
			}
			compact();
		}
		catch (IOException ex) {
			throw new InvalidConfigurationException(PROPERTY,
					"cannot read or write the revocations file " + this.file + ": " + ex.getMessage());
		}
	}

	private void load() throws IOException {
		long damaged = 0;
		try (BufferedReader reader = Files.newBufferedReader(this.file, StandardCharsets.UTF_8)) {
			for (String line = reader.readLine(); line != null; line = reader.readLine()) {
				if (!line.isBlank() && !apply(line)) {
					damaged++;
				}
			}
		}
		if (damaged > 0) {
			logger.warn(damaged + " damaged line(s) skipped in " + this.file);
		}
	}

	private boolean apply(String line) {
		if (line.length() > MAX_LINE) {
			return false;
		}
		try {
			JsonNode node = JSON.readTree(line);
			if (node == null || !node.isObject()) {
				return false;
			}
			if (node.hasNonNull("revokedBefore")) {
				this.table.raiseWatermark(Instant.parse(node.get("revokedBefore").asString()));
				return true;
			}
			String session = node.path("session").asString(null);
			if (session == null || !node.hasNonNull("revokedAt")) {
				return false;
			}
			Instant revokedAt = Instant.parse(node.get("revokedAt").asString());
			Instant keepUntil = revokedAt.plus(this.table.keep());
			if (node.hasNonNull("keepUntil")) {
				Instant stored = Instant.parse(node.get("keepUntil").asString());
				keepUntil = stored.isAfter(keepUntil) ? stored : keepUntil;
			}
			this.table.learned(new Revocation(session, revokedAt, keepUntil));
			return true;
		}
		catch (JacksonException | DateTimeParseException ex) {
			return false;
		}
	}

	@Override
	public synchronized void save(Revocation revocation) {
		try {
			if (this.lines >= 2L * this.table.maxEntries() + 1024) {
				compact();
			}
			write(this.channel, line(revocation));
			this.channel.force(false);
			this.lines++;
		}
		catch (IOException | RuntimeException ex) {
			throw new RevocationStoreUnavailableException("cannot write the revocations file " + this.file, ex);
		}
	}

	/** Rewrites the file with what the table holds now: the watermark, then the live revocations. */
	private void compact() throws IOException {
		SessionRevocations.Snapshot snapshot = this.table.snapshot();
		Path temporary = this.file.resolveSibling(this.file.getFileName() + ".tmp");
		long written = 0;
		try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
				StandardOpenOption.TRUNCATE_EXISTING)) {
			if (snapshot.watermark() != null) {
				ObjectNode mark = JSON.createObjectNode();
				mark.put("revokedBefore", snapshot.watermark().toString());
				write(out, JSON.writeValueAsBytes(mark));
				written++;
			}
			for (Revocation revocation : snapshot.revocations()) {
				write(out, line(revocation));
				written++;
			}
			out.force(true);
		}
		if (this.channel != null) {
			this.channel.close();
		}
		Files.move(temporary, this.file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		this.channel = FileChannel.open(this.file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
		this.lines = written;
	}

	private static byte[] line(Revocation revocation) {
		ObjectNode node = JSON.createObjectNode();
		node.put("session", revocation.session());
		node.put("revokedAt", revocation.revokedAt().toString());
		node.put("keepUntil", revocation.keepUntil().toString());
		return JSON.writeValueAsBytes(node);
	}

	private static void write(FileChannel channel, byte[] json) throws IOException {
		ByteBuffer buffer = ByteBuffer.allocate(json.length + 1).put(json).put((byte) '\n').flip();
		while (buffer.hasRemaining()) {
			channel.write(buffer);
		}
	}

	@Override
	public synchronized void close() {
		try {
			if (this.channel != null) {
				this.channel.close();
			}
		}
		catch (IOException ex) {
			logger.warn("Closing " + this.file + " failed: " + ex.getMessage());
		}
	}

}
