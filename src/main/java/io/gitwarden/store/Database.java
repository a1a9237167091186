package io.gitwarden.store;

import java.sql.Connection;
import java.sql.SQLException;

import io.gitwarden.config.InvalidConfigurationException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.FlywayException;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The PostgreSQL database of the shared store. Connections are opened as needed, without a pool: the
 * audit writer and the revocation listener each keep one of their own, and admin calls (revoke, query)
 * are rare enough to open theirs. No {@code DataSource} bean exists, so Spring Boot configures nothing
 * for it and the application needs no database when {@code warden.store.url} is unset.
 */
final class Database {

	private static final Log logger = LogFactory.getLog(Database.class);

	/** Flyway's history table: named for git-warden, so a database shared with other schemas stays tidy. */
	static final String HISTORY_TABLE = "warden_schema_history";

	/** Socket timeout of ordinary connections: a query that hangs this long fails. */
	private static final int SOCKET_TIMEOUT_SECONDS = 30;

	private final PGSimpleDataSource dataSource;

	private final String url;

	private Database(PGSimpleDataSource dataSource, String url) {
		this.dataSource = dataSource;
		this.url = url;
	}

	/**
	 * Connects, then migrates the schema. Fails start-up naming the property when the database cannot be
	 * reached, refuses the credentials, or holds a schema newer than this version of git-warden.
	 */
	static Database open(StoreProperties properties) {
		Database database = new Database(dataSource(properties, properties.url()), properties.url());
		database.check();
		database.migrate();
		return database;
	}

	/** Connects without migrating (the {@code audit verify} command reads only). */
	static Database connectOnly(StoreProperties properties) {
		Database database = new Database(dataSource(properties, properties.url()), properties.url());
		database.check();
		return database;
	}

	private static PGSimpleDataSource dataSource(StoreProperties properties, String url) {
		PGSimpleDataSource dataSource = new PGSimpleDataSource();
		int timeout = (int) Math.max(1, properties.timeout().toSeconds());
		dataSource.setConnectTimeout(timeout);
		dataSource.setLoginTimeout(timeout);
		dataSource.setSocketTimeout(SOCKET_TIMEOUT_SECONDS);
		dataSource.setTcpKeepAlive(true);
		dataSource.setApplicationName("git-warden");
		dataSource.setReWriteBatchedInserts(true);
		// Parameters in the URL (sslmode, socketTimeout, ...) win over the defaults above.
		dataSource.setURL(url);
		String username = properties.resolvedUsername();
		if (username != null) {
			dataSource.setUser(username);
		}
		String password = properties.resolvedPassword();
		if (password != null) {
			dataSource.setPassword(password);
		}
		return dataSource;
	}

	Connection connect() throws SQLException {
		return this.dataSource.getConnection();
	}

	private void check() {
		try (Connection connection = connect()) {
			connection.isValid(5);
		}
		catch (SQLException ex) {
			String state = ex.getSQLState();
			if (state != null && state.startsWith("28")) {
				throw new InvalidConfigurationException("warden.store.username, warden.store.password",
						"the database refused the credentials (" + describe(ex) + ")");
			}
			throw new InvalidConfigurationException(StoreProperties.URL,
					"cannot connect to the database " + withoutParameters(this.url) + " (" + describe(ex) + ")");
		}
	}

	private void migrate() {
		Flyway flyway = Flyway.configure(getClass().getClassLoader())
			.dataSource(this.dataSource)
			.locations("classpath:db/migration")
			.table(HISTORY_TABLE)
			.baselineOnMigrate(false)
			.load();
		try {
			MigrationInfo[] applied = flyway.info().applied();
			String known = (flyway.info().pending().length > 0 || applied.length > 0) ? latestKnown(flyway) : "none";
			for (MigrationInfo migration : applied) {
				if (migration.getState().name().startsWith("FUTURE")) {
					throw new InvalidConfigurationException(StoreProperties.URL, "the database schema is at version "
							+ migration.getVersion() + ", newer than this git-warden knows (" + known
							+ "): run a git-warden version at least as new as the one that migrated it");
				}
			}
			int migrations = flyway.migrate().migrationsExecuted;
			if (migrations > 0) {
				logger.info("Store schema migrated (" + migrations + " migration(s)) in " + withoutParameters(this.url));
			}
		}
		catch (FlywayException ex) {
			throw new InvalidConfigurationException(StoreProperties.URL,
					"the database schema could not be migrated: " + ex.getMessage());
		}
	}

	private static String latestKnown(Flyway flyway) {
		String latest = "none";
		for (MigrationInfo migration : flyway.info().all()) {
			if (!migration.getState().name().startsWith("FUTURE") && migration.getVersion() != null) {
				latest = migration.getVersion().toString();
			}
		}
		return latest;
	}

	/** The driver's message, without anything after the first line (it never holds the password). */
	static String describe(SQLException ex) {
		String message = (ex.getMessage() != null) ? ex.getMessage() : ex.getClass().getSimpleName();
		int line = message.indexOf('\n');
		return (line > 0) ? message.substring(0, line) : message;
	}

	static String withoutParameters(String url) {
		int query = url.indexOf('?');
		return (query > 0) ? url.substring(0, query) : url;
	}

}
