package io.gitwarden.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.gitwarden.auth.Revocation;
import io.gitwarden.auth.RevocationStore;
import io.gitwarden.auth.RevocationStoreUnavailableException;
import io.gitwarden.auth.SessionRevocations;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Revocations as rows of {@code warden_revocation}, shared by every replica.
 * <ul>
 * <li>{@link #save} inserts the row and {@code NOTIFY}s {@value #CHANNEL} in one transaction, and returns
 * only once it is committed: the admin API answers 204 then, and 503 when the database cannot be reached
 * within {@code warden.store.timeout}.</li>
 * <li>A listener thread keeps one connection that {@code LISTEN}s: every replica enforces a revocation as
 * soon as its notification arrives (milliseconds). After every (re)connection, and every
 * {@code warden.store.resync-interval}, it reads all revocations in force again, which heals a notification
 * missed while the connection was down; rows past {@code keep_until} are deleted then.</li>
 * <li>At start every revocation in force is loaded before the replica serves (start-up fails otherwise).</li>
 * <li>While the database is down, the revocations already known stay enforced: the table only grows.</li>
 * </ul>
 */
final class PostgresRevocationStore implements RevocationStore {

	static final String CHANNEL = "warden_revocation";

	private static final Log logger = LogFactory.getLog(PostgresRevocationStore.class);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** Longest wait for a notification before checking whether a resync is due. */
	private static final int POLL_MILLIS = 500;

	private static final Duration RETRY = Duration.ofSeconds(1);

	private final Database database;

	private final Clock clock;

	private final Duration resyncInterval;

	private volatile SessionRevocations table;

	private volatile boolean running;

	private Thread listener;

	PostgresRevocationStore(Database database, Clock clock, Duration resyncInterval) {
		this.database = database;
		this.clock = clock;
		this.resyncInterval = resyncInterval;
	}

	@Override
	public void save(Revocation revocation) {
		try (Connection connection = this.database.connect()) {
			connection.setAutoCommit(false);
			try (PreparedStatement insert = connection.prepareStatement("""
					INSERT INTO warden_revocation (session, revoked_at, keep_until) VALUES (?, ?, ?)
					ON CONFLICT (session) DO UPDATE SET
					  revoked_at = GREATEST(warden_revocation.revoked_at, EXCLUDED.revoked_at),
					  keep_until = GREATEST(warden_revocation.keep_until, EXCLUDED.keep_until)""");
					PreparedStatement notify = connection.prepareStatement("SELECT pg_notify(?, ?)")) {
				insert.setString(1, revocation.session());
				insert.setTimestamp(2, Timestamp.from(revocation.revokedAt()));
				insert.setTimestamp(3, Timestamp.from(revocation.keepUntil()));
				insert.executeUpdate();
				notify.setString(1, CHANNEL);
				notify.setString(2, payload(revocation));
				notify.execute();
				connection.commit();
			}
		}
		catch (SQLException ex) {
			throw new RevocationStoreUnavailableException("the revocation could not be stored, the database is "
					+ "unreachable (" + Database.describe(ex) + "); it is not in force, try again", ex);
		}
	}

	@Override
	public void start(SessionRevocations table) {
		this.table = table;
		try (Connection connection = this.database.connect()) {
			resync(connection);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("cannot read the revocations from the database (" + Database.describe(ex)
					+ ")", ex);
		}
		this.running = true;
		this.listener = new Thread(this::listen, "warden-revocation-listener");
		this.listener.setDaemon(true);
		this.listener.start();
	}

	/** Follows notifications on a dedicated connection; reconnects (and resyncs) when it breaks. */
	private void listen() {
		boolean down = false;
		while (this.running) {
			try (Connection connection = this.database.connect()) {
				try (Statement statement = connection.createStatement()) {
					statement.execute("LISTEN " + CHANNEL);
				}
				resync(connection);
				if (down) {
					logger.info("Revocation listener reconnected to the database; revocations resynchronised");
					down = false;
				}
				PGConnection notifications = connection.unwrap(PGConnection.class);
				Instant nextResync = this.clock.instant().plus(this.resyncInterval);
				while (this.running) {
					PGNotification[] received = notifications.getNotifications(POLL_MILLIS);
					if (received != null) {
						for (PGNotification notification : received) {
							learned(notification.getParameter());
						}
					}
					if (!this.clock.instant().isBefore(nextResync)) {
						resync(connection);
						nextResync = this.clock.instant().plus(this.resyncInterval);
					}
				}
			}
			catch (Throwable ex) {
				// SQLExceptions, and whatever else the driver throws when the connection dies: never stop listening
				if (!this.running) {
					return;
				}
				if (!down) {
					logger.warn("Revocation listener lost the database (" + ex.getClass().getSimpleName() + ": "
							+ ((ex instanceof SQLException sql) ? Database.describe(sql) : String.valueOf(ex.getMessage()))
							+ "); known revocations stay enforced, retrying every " + RETRY.toSeconds() + "s");
					down = true;
				}
				pause();
			}
		}
	}

	/**
	 * Reads every revocation in force: the newest {@code max-entries} are enforced by session, and when
	 * there are more, the watermark rises to the newest one left out. Also deletes expired rows.
	 */
	private void resync(Connection connection) throws SQLException {
		SessionRevocations revocations = this.table;
		Instant now = this.clock.instant();
		int max = revocations.maxEntries();
		List<Revocation> rows = new ArrayList<>();
		boolean autoCommit = connection.getAutoCommit();
		connection.setAutoCommit(false); // a cursor: rows are fetched in chunks, not all at once
		try (PreparedStatement select = connection.prepareStatement("""
				SELECT session, revoked_at, keep_until FROM warden_revocation
				WHERE keep_until > ? ORDER BY revoked_at DESC LIMIT ?""")) {
			select.setFetchSize(1000);
			select.setTimestamp(1, Timestamp.from(now));
			select.setLong(2, max + 1L);
			try (ResultSet result = select.executeQuery()) {
				while (result.next()) {
					rows.add(new Revocation(result.getString(1), result.getTimestamp(2).toInstant(),
							result.getTimestamp(3).toInstant()));
				}
			}
			try (PreparedStatement delete = connection
				.prepareStatement("DELETE FROM warden_revocation WHERE keep_until < ?")) {
				delete.setTimestamp(1, Timestamp.from(now.minus(Duration.ofHours(1))));
				delete.executeUpdate();
			}
			connection.commit();
		}
		finally {
			connection.setAutoCommit(autoCommit);
		}
		if (rows.size() > max) {
			revocations.raiseWatermark(rows.remove(rows.size() - 1).revokedAt());
		}
		for (int i = rows.size() - 1; i >= 0; i--) {
			revocations.learned(rows.get(i));
		}
	}

	private void learned(String payload) {
		try {
			JsonNode node = JSON.readTree(payload);
			this.table.learned(new Revocation(node.get("session").asString(),
					Instant.parse(node.get("revokedAt").asString()), Instant.parse(node.get("keepUntil").asString())));
		}
		catch (RuntimeException ex) {
			// Not ours, or damaged: the next resync reads the row itself.
			logger.warn("Ignored a malformed revocation notification (" + ex.getClass().getSimpleName() + ")");
		}
	}

	private static String payload(Revocation revocation) {
		ObjectNode node = JSON.createObjectNode();
		node.put("session", revocation.session());
		node.put("revokedAt", revocation.revokedAt().toString());
		node.put("keepUntil", revocation.keepUntil().toString());
		return JSON.writeValueAsString(node);
	}

	private void pause() {
		synchronized (this) {
			try {
				if (this.running) {
					wait(RETRY.toMillis());
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				this.running = false;
			}
		}
	}

	@Override
	public void close() {
		this.running = false;
		synchronized (this) {
			notifyAll();
		}
		if (this.listener != null) {
			try {
				this.listener.join(POLL_MILLIS * 4L);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

}
