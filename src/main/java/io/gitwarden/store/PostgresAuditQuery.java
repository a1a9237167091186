package io.gitwarden.store;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
 */
final class PostgresAuditQuery implements AuditQuery {

	private static final Pattern CURSOR = Pattern.compile("(-?\\d{1,19})\\.(\\d{1,19})");

	private static final int FETCH = 100;

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
		if (filter.since() != null) {
			sql.append(" AND time >= ?");
			parameters.add(Timestamp.from(filter.since()));
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

}
