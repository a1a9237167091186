package io.gitwarden.store;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.sql.Array;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.gitwarden.audit.AuditFilter;
import io.gitwarden.audit.AuditQuery;
import io.gitwarden.audit.AuditStoreUnavailableException;

/**
 * The admin audit query over the whole fleet: {@code warden_audit_event}, newest first by
 * {@code (time, id)}, with keyset pagination (the cursor is the {@code time} and {@code id} of the last
 * event returned, so a page costs the same however deep it is). The filters use the indexes on
 * {@code session}, {@code repo} (lower-cased), {@code decision} and {@code time}. Rows are fetched in
 * chunks and the page stops at the byte budget.
 *
 * <p>The summaries ({@link #sessions}, {@link #counts}) aggregate in the database over a time range (the
 * {@code time} index), with a statement timeout of {@value #SUMMARY_TIMEOUT_SECONDS} s; they return at most
 * {@link AuditQuery#MAX_SESSIONS} rows, or a few hundred counts.
 */
final class PostgresAuditQuery implements AuditQuery {

	private static final Pattern CURSOR = Pattern.compile("(-?\\d{1,19})\\.(\\d{1,19})");

	private static final int FETCH = 100;

	static final int SUMMARY_TIMEOUT_SECONDS = 15;

	private final Database database;

	PostgresAuditQuery(Database database) {
		this.database = database;
	}

	@Override
	public boolean isReadable() {
		return true;
	}

	@Override
	public Page newestFirst(AuditFilter filter, String before, int limit, long maxBytes) {
		Instant beforeTime = null;
		long beforeId = 0;
		if (before != null) {
			Matcher cursor = CURSOR.matcher(before);
			if (!cursor.matches()) {
				throw new IllegalArgumentException("not a cursor of the audit store");
			}
			beforeTime = Instant.EPOCH.plus(Long.parseLong(cursor.group(1)), ChronoUnit.MICROS);
			beforeId = Long.parseLong(cursor.group(2));
		}
		StringBuilder sql = new StringBuilder("SELECT time, id, line FROM warden_audit_event WHERE true");
		List<Object> parameters = new ArrayList<>();
		where(filter, sql, parameters);
		if (filter.since() != null) {
			sql.append(" AND time >= ?");
			parameters.add(Timestamp.from(filter.since()));
		}
		if (filter.until() != null) {
			sql.append(" AND time < ?");
			parameters.add(Timestamp.from(filter.until()));
		}
		if (beforeTime != null) {
			sql.append(" AND (time, id) < (?, ?)");
			parameters.add(Timestamp.from(beforeTime));
			parameters.add(beforeId);
		}
		sql.append(" ORDER BY time DESC, id DESC LIMIT ?");
		parameters.add(limit + 1L);
		try (Connection connection = this.database.connect()) {
			connection.setAutoCommit(false); // so that the driver fetches FETCH rows at a time
			connection.setReadOnly(true);
			try (PreparedStatement select = connection.prepareStatement(sql.toString())) {
				select.setFetchSize(FETCH);
				for (int i = 0; i < parameters.size(); i++) {
					select.setObject(i + 1, parameters.get(i));
				}
				List<byte[]> events = new ArrayList<>();
				long bytes = 0;
				String last = null;
				try (ResultSet result = select.executeQuery()) {
					while (result.next()) {
						byte[] line = result.getString(3).getBytes(StandardCharsets.UTF_8);
						if (events.size() == limit || (!events.isEmpty() && bytes + line.length > maxBytes)) {
							return new Page(events, last);
						}
						events.add(line);
						bytes += line.length + 1;
						Instant time = result.getTimestamp(1).toInstant();
						last = ChronoUnit.MICROS.between(Instant.EPOCH, time) + "." + result.getLong(2);
					}
				}
				return new Page(events, null);
			}
			finally {
				connection.rollback();
			}
		}
		catch (SQLException ex) {
			throw new AuditStoreUnavailableException(
					"the audit store is unreachable (" + Database.describe(ex) + "); try again", ex);
		}
	}


	@Override
	public Sessions sessions(Instant since, Instant until, int limit) {
		Instant end = (until != null) ? until : Instant.now();
		int rows = Math.min(limit, MAX_SESSIONS);
		String summary = """
				SELECT session, min(time), max(time), count(*),
				  count(*) FILTER (WHERE j->>'operation' = 'fetch'),
				  count(*) FILTER (WHERE j->>'operation' = 'push'),
				  count(*) FILTER (WHERE decision = 'denied'),
				  (array_agg(DISTINCT j->>'repo') FILTER (WHERE j->>'repo' IS NOT NULL))[1:5],
				  (array_agg(DISTINCT j->'reason'->>'code') FILTER (WHERE decision = 'denied' AND j->'reason'->>'code' IS NOT NULL))[1:5]
				FROM (SELECT session, time, decision, line::jsonb AS j FROM warden_audit_event
				      WHERE session IS NOT NULL AND time >= ? AND time < ?) e
				GROUP BY session ORDER BY max(time) DESC LIMIT ?""";
		String refs = """
				SELECT session, (array_agg(DISTINCT u->>'ref'))[1:5]
				FROM warden_audit_event,
				     jsonb_array_elements(CASE WHEN jsonb_typeof(line::jsonb->'updates') = 'array'
				                          THEN line::jsonb->'updates' ELSE '[]'::jsonb END) u
				WHERE session = ANY (?) AND time >= ? AND time < ? AND u->>'ref' IS NOT NULL
				GROUP BY session""";
		try (Connection connection = this.database.connect()) {
			connection.setAutoCommit(false);
			connection.setReadOnly(true);
			try {
				timeout(connection);
				List<Object[]> found = new ArrayList<>();
				try (PreparedStatement select = connection.prepareStatement(summary)) {
					select.setTimestamp(1, Timestamp.from(since));
					select.setTimestamp(2, Timestamp.from(end));
					select.setInt(3, rows + 1);
					try (ResultSet result = select.executeQuery()) {
						while (result.next()) {
							found.add(new Object[] { result.getString(1), result.getTimestamp(2).toInstant(),
									result.getTimestamp(3).toInstant(), result.getLong(4), result.getLong(5),
									result.getLong(6), result.getLong(7), strings(result.getArray(8)),
									strings(result.getArray(9)) });
						}
					}
				}
				boolean complete = found.size() <= rows;
				if (!complete) {
					found = found.subList(0, rows);
				}
				Map<String, List<String>> refsBySession = new HashMap<>();
				if (!found.isEmpty()) {
					try (PreparedStatement select = connection.prepareStatement(refs)) {
						select.setArray(1, connection.createArrayOf("text",
								found.stream().map((row) -> row[0]).toArray()));
						select.setTimestamp(2, Timestamp.from(since));
						select.setTimestamp(3, Timestamp.from(end));
						try (ResultSet result = select.executeQuery()) {
							while (result.next()) {
								refsBySession.put(result.getString(1), strings(result.getArray(2)));
							}
						}
					}
				}
				List<SessionSummary> summaries = new ArrayList<>();
				for (Object[] row : found) {
					String session = (String) row[0];
					summaries.add(new SessionSummary(session, (Instant) row[1], (Instant) row[2], (long) row[3],
							(long) row[4], (long) row[5], (long) row[6], cast(row[7]),
							refsBySession.getOrDefault(session, List.of()), cast(row[8])));
				}
				return new Sessions(since, end, summaries, complete);
			}
			finally {
				connection.rollback();
			}
		}
		catch (SQLException ex) {
			throw unavailable(ex);
		}
	}

	@Override
	public Counts counts(AuditFilter filter) {
		Instant end = (filter.until() != null) ? filter.until() : Instant.now();
		StringBuilder sql = new StringBuilder("""
				SELECT decision, (line::jsonb)->>'operation', (line::jsonb)->'reason'->>'code', count(*)
				FROM warden_audit_event WHERE time >= ? AND time < ?""");
		List<Object> parameters = new ArrayList<>(List.of(Timestamp.from(filter.since()), Timestamp.from(end)));
		where(filter, sql, parameters);
		sql.append(" GROUP BY 1, 2, 3 LIMIT 10000");
		try (Connection connection = this.database.connect()) {
			connection.setAutoCommit(false);
			connection.setReadOnly(true);
			try (PreparedStatement select = connection.prepareStatement(sql.toString())) {
				timeout(connection);
				for (int i = 0; i < parameters.size(); i++) {
					select.setObject(i + 1, parameters.get(i));
				}
				long events = 0;
				Map<String, Long> byDecision = new LinkedHashMap<>();
				Map<String, Long> byOperation = new LinkedHashMap<>();
				Map<String, Long> byReason = new LinkedHashMap<>();
				try (ResultSet result = select.executeQuery()) {
					while (result.next()) {
						long count = result.getLong(4);
						events += count;
						byDecision.merge(orNone(result.getString(1)), count, Long::sum);
						byOperation.merge(orNone(result.getString(2)), count, Long::sum);
						if (result.getString(3) != null) {
							byReason.merge(result.getString(3), count, Long::sum);
						}
					}
				}
				return new Counts(filter.since(), end, events, byDecision, byOperation, byReason, true);
			}
			finally {
				connection.rollback();
			}
		}
		catch (SQLException ex) {
			throw unavailable(ex);
		}
	}

	private static void timeout(Connection connection) throws SQLException {
		try (java.sql.Statement statement = connection.createStatement()) {
			statement.execute("SET LOCAL statement_timeout = '" + SUMMARY_TIMEOUT_SECONDS + "s'");
		}
	}

	private static String orNone(String value) {
		return (value != null) ? value : "none";
	}

	private static List<String> strings(Array array) throws SQLException {
		if (array == null) {
			return List.of();
		}
		Object[] values = (Object[]) array.getArray();
		return Arrays.stream(values).filter(java.util.Objects::nonNull).map(Object::toString).toList();
	}

	@SuppressWarnings("unchecked")
	private static List<String> cast(Object value) {
		return (List<String>) value;
	}

	private static AuditStoreUnavailableException unavailable(SQLException ex) {
		return new AuditStoreUnavailableException(
				"the audit store is unreachable (" + Database.describe(ex) + "); try again", ex);
	}

	/** The conditions on session, repository, decision and refusal code (the time range is the caller's). */
	private static void where(AuditFilter filter, StringBuilder sql, List<Object> parameters) {
		if (filter.session() != null) {
			sql.append(" AND session = ?");
			parameters.add(filter.session());
		}
		if (filter.repo() != null) {
			sql.append(" AND repo = ?");
			parameters.add(filter.repo().toLowerCase(Locale.ROOT));
		}
		if (filter.decision() != null) {
			sql.append(" AND decision = ?");
			parameters.add(filter.decision());
		}
		if (filter.reason() != null) {
			sql.append(" AND (line::jsonb)->'reason'->>'code' = ?");
			parameters.add(filter.reason());
		}
	}

}
