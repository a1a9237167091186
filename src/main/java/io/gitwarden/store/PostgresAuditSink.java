package io.gitwarden.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.gitwarden.audit.AuditSink;
import io.gitwarden.audit.RecordedEvent;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Audit events into {@code warden_audit_event}, off the request path and never lost.
 * <ul>
 * <li><b>Chain.</b> Each start of the process opens a chain of its own (a random UUID, registered in
 * {@code warden_audit_chain}): its events carry consecutive {@code seq} numbers from 1 and the SHA-256 of
 * the previous line of the chain in {@code prev}, all inside the stored line. Replicas never coordinate, so
 * no lock is shared; {@code audit verify} checks every chain.</li>
 * <li><b>Off the request path.</b> {@link #append} chains the event and queues it in memory (at most
 * {@value #MAX_QUEUED_BYTES} bytes); one writer thread inserts the queue in batches of up to
 * {@value #BATCH} rows, one transaction per batch.</li>
 * <li><b>Never lost.</b> When an insert fails (the database is down), the batch goes to the local spool file
 * ({@code warden.store.spool-file}), and so does every later batch until the spool has been replayed into
 * the database, which the writer tries again every second. Replay is idempotent ({@code ON CONFLICT DO
 * NOTHING} on chain and seq), so a crash during replay repeats rows harmlessly. A queue that is full (the
 * database is slower than the traffic) spills to the spool as well, from the request thread.</li>
 * <li><b>Shutdown.</b> {@link #close} (after the web server has stopped) lets the writer insert what is
 * queued and replay the spool, up to {@value #FLUSH_SECONDS}s, and spools whatever is left.</li>
 * </ul>
 */
final class PostgresAuditSink implements AuditSink, AutoCloseable {

	static final int BATCH = 500;

	static final long MAX_QUEUED_BYTES = 32L * 1024 * 1024;

	static final int FLUSH_SECONDS = 20;

	static final String GENESIS = "0".repeat(64);

	private static final Log logger = LogFactory.getLog(PostgresAuditSink.class);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

	private static final String INSERT = """
			INSERT INTO warden_audit_event (chain, seq, time, request_id, session, repo, decision, line)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (chain, seq) DO NOTHING""";

	private final Database database;

	private final AuditSpool spool;

	private final UUID chain;

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition queued = this.lock.newCondition();

	private final ArrayDeque<Row> queue = new ArrayDeque<>();

	private final AtomicLong inserted = new AtomicLong();

	private final AtomicLong spooled = new AtomicLong();

	private final AtomicLong insertNanos = new AtomicLong();

	private final Thread writer;

	private long queuedBytes;

	private long seq;

	private String prev = GENESIS;

	private boolean closed;

	// writer thread only

	private Connection connection;

	private PreparedStatement insert;

	private boolean down;

	private long nextAttempt;

	private long replayOffset;

	PostgresAuditSink(Database database, AuditSpool spool, String host) throws SQLException, IOException {
		this.database = database;
		this.spool = spool;
		this.chain = UUID.randomUUID();
		try (Connection connection = database.connect();
				PreparedStatement register = connection
					.prepareStatement("INSERT INTO warden_audit_chain (chain, started_at, host) VALUES (?, ?, ?)")) {
			register.setObject(1, this.chain);
			register.setTimestamp(2, Timestamp.from(Instant.now()));
			register.setString(3, host);
			register.executeUpdate();
		}
		if (spool.size() > 0) {
			logger.info(spool.lines() + " audit event(s) in " + spool.file() + " from an earlier run: replaying them");
		}
		this.writer = new Thread(this::run, "warden-audit-writer");
		this.writer.setDaemon(true);
		this.writer.start();
	}

	/** This process's chain. */
	UUID chain() {
		return this.chain;
	}

	@Override
	public void append(RecordedEvent event) throws IOException {
		this.lock.lock();
		try {
			long number = ++this.seq;
			byte[] line = event.line(this.chain.toString(), number, this.prev);
			this.prev = sha256(line);
			if (this.closed || this.queuedBytes + line.length > MAX_QUEUED_BYTES) {
				// The writer is behind (or gone): keep the event on disk rather than in memory.
				this.spool.append(List.of(line));
				this.spooled.incrementAndGet();
				return;
			}
			this.queue.add(new Row(this.chain, number, timeOf(event.time()), event.requestId(), event.session(),
					lower(event.repo()), event.decision(), line));
			this.queuedBytes += line.length;
			if (this.queue.size() >= BATCH) {
				this.queued.signal();
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	private void run() {
		try {
			while (true) {
				List<Row> batch = take();
				if (batch == null) {
					break;
				}
				try {
					write(batch);
				}
				catch (Throwable ex) {
					// The spool itself failed (disk full): these events reach only the audit file. Keep going.
					logger.error("Audit writer could not store " + batch.size() + " event(s) in the database or the spool: "
							+ ex.getClass().getName() + ": " + ex.getMessage());
				}
			}
			if (this.spool.size() > 0) {
				this.nextAttempt = System.nanoTime(); // one last try at shutdown
				replay();
			}
		}
		catch (Throwable ex) {
			logger.error("Audit writer stopped: " + ex.getClass().getName() + ": " + ex.getMessage());
		}
		finally {
			closeConnection();
		}
	}

	private void write(List<Row> batch) throws IOException {
		if (this.spool.size() > 0 && !replay()) {
			spool(batch);
			return;
		}
		if (!batch.isEmpty() && !insert(batch)) {
			spool(batch);
		}
	}

	/** The next batch; empty after a short wait with nothing queued; {@code null} once closed and drained. */
	private List<Row> take() throws InterruptedException {
		this.lock.lock();
		try {
			if (this.queue.isEmpty()) {
				if (this.closed) {
					return null;
				}
				this.queued.await(100, TimeUnit.MILLISECONDS);
			}
			List<Row> batch = new ArrayList<>(Math.min(BATCH, this.queue.size()));
			while (batch.size() < BATCH && !this.queue.isEmpty()) {
				Row row = this.queue.poll();
				this.queuedBytes -= row.line().length;
				batch.add(row);
			}
			return batch;
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Inserts the spool into the database; true once it is empty. */
	private boolean replay() throws IOException {
		while (true) {
			AuditSpool.Chunk chunk = this.spool.readFrom(this.replayOffset, BATCH);
			if (chunk.lines().isEmpty()) {
				if (this.spool.clearIfAt(this.replayOffset)) {
					this.replayOffset = 0;
					logger.info("Audit spool replayed into the database");
					return true;
				}
				continue;
			}
			List<Row> rows = new ArrayList<>(chunk.lines().size());
			for (byte[] line : chunk.lines()) {
				Row row = Row.parse(line);
				if (row != null) {
					rows.add(row);
				}
			}
			if (!rows.isEmpty() && !insert(rows)) {
				return false;
			}
			this.replayOffset = chunk.next();
		}
	}

	private void spool(List<Row> batch) throws IOException {
		if (batch.isEmpty()) {
			return;
		}
		List<byte[]> lines = new ArrayList<>(batch.size());
		for (Row row : batch) {
			lines.add(row.line());
		}
		this.spool.append(lines);
		this.spooled.addAndGet(lines.size());
	}

	/** One transaction; false (and the database counts as down for a second) when it fails. */
	private boolean insert(List<Row> rows) {
		if (this.down && System.nanoTime() - this.nextAttempt < 0) {
			return false;
		}
		long started = System.nanoTime();
		try {
			if (this.connection == null) {
				this.connection = this.database.connect();
				this.connection.setAutoCommit(false);
				this.insert = this.connection.prepareStatement(INSERT);
			}
			for (Row row : rows) {
				row.bind(this.insert);
				this.insert.addBatch();
			}
			this.insert.executeBatch();
			this.connection.commit();
			this.inserted.addAndGet(rows.size());
			this.insertNanos.addAndGet(System.nanoTime() - started);
			if (this.down) {
				this.down = false;
				logger.info("Audit writer reconnected to the database");
			}
			return true;
		}
		catch (Throwable ex) {
			// SQLExceptions, and whatever else the driver throws when the connection dies mid-batch
			closeConnection();
			if (!this.down) {
				logger.warn("Audit events go to the spool " + this.spool.file() + " while the database is unreachable ("
						+ ((ex instanceof SQLException sql) ? Database.describe(sql) : ex.getClass().getSimpleName())
						+ "); retrying every second");
			}
			this.down = true;
			this.nextAttempt = System.nanoTime() + RETRY_NANOS;
			return false;
		}
	}

	private void closeConnection() {
		if (this.connection != null) {
			try {
				this.connection.close();
			}
			catch (SQLException ignored) {
				// broken already
			}
			this.connection = null;
			this.insert = null;
		}
	}

	/** Events waiting in memory. */
	long queued() {
		this.lock.lock();
		try {
			return this.queue.size();
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Events waiting in the spool file. */
	long spoolLines() {
		return this.spool.lines();
	}

	/** Events inserted since start. */
	long inserted() {
		return this.inserted.get();
	}

	/** Events written to the spool since start. */
	long spooled() {
		return this.spooled.get();
	}

	/** Time spent in insert transactions since start. */
	long insertNanos() {
		return this.insertNanos.get();
	}

	/** Inserts what is queued and replays the spool (up to {@value #FLUSH_SECONDS}s), then spools the rest. */
	@Override
	public void close() {
		this.lock.lock();
		try {
			this.closed = true;
			this.queued.signalAll();
		}
		finally {
			this.lock.unlock();
		}
		try {
			this.writer.join(TimeUnit.SECONDS.toMillis(FLUSH_SECONDS));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		this.lock.lock();
		try {
			if (!this.queue.isEmpty()) {
				List<Row> left = new ArrayList<>(this.queue);
				this.queue.clear();
				spool(left);
				logger.warn(left.size() + " audit event(s) left in " + this.spool.file() + " at shutdown");
			}
			this.spool.close();
		}
		catch (IOException ex) {
			logger.error("Audit spool could not be written at shutdown: " + ex.getMessage());
		}
		finally {
			this.lock.unlock();
		}
	}

	static String sha256(byte[] line) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(line));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static Instant timeOf(String time) {
		if (time != null) {
			try {
				return Instant.parse(time);
			}
			catch (DateTimeParseException ex) {
				// recorded as the time of writing
			}
		}
		return Instant.now();
	}

	private static String lower(String repo) {
		return (repo != null) ? repo.toLowerCase(Locale.ROOT) : null;
	}

	/** PostgreSQL text cannot hold NUL. */
	private static String text(String value) {
		return (value != null && value.indexOf('\0') >= 0) ? value.replace("\0", "") : value;
	}

	/** One row of {@code warden_audit_event}. */
	record Row(UUID chain, long seq, Instant time, String requestId, String session, String repo, String decision,
			byte[] line) {

		void bind(PreparedStatement insert) throws SQLException {
			insert.setObject(1, this.chain);
			insert.setLong(2, this.seq);
			insert.setTimestamp(3, Timestamp.from(this.time));
			setText(insert, 4, this.requestId);
			setText(insert, 5, this.session);
			setText(insert, 6, this.repo);
			setText(insert, 7, this.decision);
			insert.setString(8, new String(this.line, StandardCharsets.UTF_8));
		}

		private static void setText(PreparedStatement insert, int index, String value) throws SQLException {
			if (value == null) {
				insert.setNull(index, Types.VARCHAR);
			}
			else {
				insert.setString(index, text(value));
			}
		}

		/** A spooled line back into a row; {@code null} for a damaged line. */
		static Row parse(byte[] line) {
			try {
				JsonNode node = JSON.readTree(line);
				if (node == null || !node.isObject() || !node.hasNonNull("chain") || !node.hasNonNull("seq")) {
					return null;
				}
				return new Row(UUID.fromString(node.get("chain").asString()), node.get("seq").asLong(),
						timeOf(string(node, "time")), string(node, "requestId"), string(node, "session"),
						lower(string(node, "repo")), string(node, "decision"), line);
			}
			catch (JacksonException | IllegalArgumentException ex) {
				return null;
			}
		}

		private static String string(JsonNode node, String field) {
			JsonNode value = node.get(field);
			return (value != null && value.isString()) ? value.asString() : null;
		}

	}

}
