package io.gitwarden.store;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import io.gitwarden.audit.RecordedEvent;
import io.gitwarden.config.InvalidConfigurationException;
import io.gitwarden.testsupport.Eventually;
import io.gitwarden.testsupport.PostgresServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The store's parts without the web application, on a real PostgreSQL: start-up checks, the audit writer's
 * chain and its verification (edits and gaps found), the spool across a restart, and the sustained insert
 * rate.
 */
class PostgresAuditSinkTests {

	static PostgresServer postgres;

	@TempDir
	Path directory;

	@BeforeAll
	static void start() {
		postgres = PostgresServer.shared();
	}

	static StoreProperties properties(String url, String password) {
		return new StoreProperties(url, PostgresServer.USER, password, Path.of("unused"), Duration.ofSeconds(2),
				Duration.ofSeconds(30));
	}

	static RecordedEvent event(int n, String session) {
		String json = "{\"time\":\"" + Instant.now() + "\",\"requestId\":\"r" + n + "\",\"session\":\"" + session
				+ "\",\"repo\":\"Acme/Widgets\",\"decision\":\"allowed\",\"status\":200}";
		return new RecordedEvent(json.getBytes(StandardCharsets.UTF_8), null, "r" + n, session, "Acme/Widgets",
				"allowed");
	}

	@Test
	void startupFailsNamingThePropertyWhenTheDatabaseIsUnreachable() throws IOException {
		int port;
		try (ServerSocket socket = new ServerSocket(0)) {
			port = socket.getLocalPort();
		}
		String url = "jdbc:postgresql://127.0.0.1:" + port + "/warden";
		assertThatExceptionOfType(InvalidConfigurationException.class)
			.isThrownBy(() -> Database.open(properties(url, null)))
			.satisfies((ex) -> assertThat(ex.property()).isEqualTo("warden.store.url"))
			.withMessageContaining("cannot connect to the database jdbc:postgresql://127.0.0.1:" + port + "/warden");
	}

	@Test
	void startupFailsWhenTheSchemaIsNewerThanTheCode() throws SQLException {
		String database = postgres.createDatabase();
		Database.open(properties(postgres.jdbcUrl(database), null));
		try (Connection connection = postgres.connect(database); Statement statement = connection.createStatement()) {
			statement.execute("""
					INSERT INTO warden_schema_history (installed_rank, version, description, type, script, checksum,
					  installed_by, execution_time, success)
					VALUES (99, '99', 'from the future', 'SQL', 'V99__future.sql', 0, 'test', 1, true)""");
		}
		assertThatExceptionOfType(InvalidConfigurationException.class)
			.isThrownBy(() -> Database.open(properties(postgres.jdbcUrl(database), null)))
			.withMessageContaining("schema is at version 99, newer than this git-warden knows (1)");
	}

	@Test
	void thePasswordMayComeFromAFile() throws IOException {
		Path file = this.directory.resolve("password");
		Files.writeString(file, "s3cret\n");
		assertThat(properties("jdbc:postgresql://db/warden", "file:" + file).resolvedPassword()).isEqualTo("s3cret");
		assertThat(properties("jdbc:postgresql://db/warden", "plain").resolvedPassword()).isEqualTo("plain");
		assertThat(properties("jdbc:postgresql://db/warden", "plain").toString()).doesNotContain("plain");
		assertThatExceptionOfType(InvalidConfigurationException.class)
			.isThrownBy(() -> properties("jdbc:postgresql://db/warden", "file:" + this.directory.resolve("missing"))
				.resolvedPassword())
			.satisfies((ex) -> assertThat(ex.property()).isEqualTo("warden.store.password"));
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> properties("jdbc:mysql://db/warden", null))
			.withMessageContaining("warden.store.url");
	}

	@Test
	void everyEventIsChainedAndTheVerifierFindsEditsAndGaps() throws Exception {
		String database = postgres.createDatabase();
		Database store = Database.open(properties(postgres.jdbcUrl(database), null));
		PostgresAuditSink sink = new PostgresAuditSink(store, new AuditSpool(this.directory.resolve("spool.jsonl")),
				"test");
		for (int i = 1; i <= 100; i++) {
			sink.append(event(i, "ses_verify"));
		}
		sink.close();
		assertThat(sink.inserted()).isEqualTo(100);
		assertThat(verify(database)).startsWith("0 ").contains("100 events, seq 1..100 (from genesis)");
		try (Connection connection = postgres.connect(database); Statement statement = connection.createStatement()) {
			statement.execute("UPDATE warden_audit_event SET line = replace(line, '\"status\":200', '\"status\":201') "
					+ "WHERE seq = 40");
			assertThat(verify(database)).startsWith("1 ").contains("seq 41: 'prev' does not match");
			statement.execute("UPDATE warden_audit_event SET line = replace(line, '\"status\":201', '\"status\":200') "
					+ "WHERE seq = 40");
			statement.execute("UPDATE warden_audit_event SET session = 'someone-else' WHERE seq = 50");
			assertThat(verify(database)).startsWith("1 ").contains("seq 50: the row's columns differ from its line");
			statement.execute("UPDATE warden_audit_event SET session = 'ses_verify' WHERE seq = 50");
			statement.execute("DELETE FROM warden_audit_event WHERE seq IN (60, 61)");
			assertThat(verify(database)).startsWith("1 ").contains("seq 60..61: missing");
			// retention: deleting the oldest events of a chain is not a break
			statement.execute("DELETE FROM warden_audit_event WHERE seq <= 61");
			assertThat(verify(database)).startsWith("0 ").contains("39 events, seq 62..100 (older events deleted");
		}
	}

	@Test
	void eventsSpooledWhileTheDatabaseWasUnreachableAreReplayedByTheNextStart() throws Exception {
		String database = postgres.createDatabase();
		Database store = Database.open(properties(postgres.jdbcUrl(database), null));
		Path spoolFile = this.directory.resolve("spool.jsonl");
		PostgresAuditSink sink = new PostgresAuditSink(store, new AuditSpool(spoolFile), "test");
		try (Connection connection = postgres.connect(database); Statement statement = connection.createStatement()) {
			// the writer cannot insert: the table is locked away from it
			statement.execute("REVOKE INSERT ON warden_audit_event FROM PUBLIC");
			statement.execute("ALTER TABLE warden_audit_event RENAME TO warden_audit_event_away");
			for (int i = 1; i <= 50; i++) {
				sink.append(event(i, "ses_spool"));
			}
			Eventually.await(sink::spoolLines, (lines) -> lines == 50);
			sink.close();
			assertThat(Files.readAllLines(spoolFile)).hasSize(50);
			statement.execute("ALTER TABLE warden_audit_event_away RENAME TO warden_audit_event");
		}
		PostgresAuditSink next = new PostgresAuditSink(store, new AuditSpool(spoolFile), "test");
		Eventually.await(next::inserted, (n) -> n >= 50);
		next.close();
		assertThat(next.inserted()).isEqualTo(50);
		assertThat(Files.size(spoolFile)).isZero();
		assertThat(verify(database)).startsWith("0 ").contains("50 events, seq 1..50 (from genesis)");
	}

	/**
	 * Sustained rate: {@value #RATE} events/s for {@value #SECONDS}s (paced as requests arrive) must leave
	 * neither the queue nor the spool growing; prints the rate, the time {@code append} takes on the request
	 * thread and the time per insert transaction.
	 */
	@Test
	void twoThousandEventsPerSecondAreInsertedWithoutTheSpoolGrowing() throws Exception {
		String database = postgres.createDatabase();
		Database store = Database.open(properties(postgres.jdbcUrl(database), null));
		PostgresAuditSink sink = new PostgresAuditSink(store, new AuditSpool(this.directory.resolve("spool.jsonl")),
				"test");
		int total = RATE * SECONDS;
		long[] appendNanos = new long[total];
		long start = System.nanoTime();
		long maxQueued = 0;
		for (int i = 0; i < total; i++) {
			long due = start + (long) i * 1_000_000_000L / RATE;
			long wait = due - System.nanoTime();
			if (wait > 0) {
				LockSupport.parkNanos(wait);
			}
			long before = System.nanoTime();
			sink.append(event(i, "ses_rate_" + (i % 50)));
			appendNanos[i] = System.nanoTime() - before;
			if (i % 500 == 0) {
				maxQueued = Math.max(maxQueued, sink.queued());
			}
		}
		long sent = System.nanoTime() - start;
		long drained = Eventually.await(sink::inserted, (n) -> n >= total);
		long done = System.nanoTime() - start;
		assertThat(drained).isEqualTo(total);
		assertThat(sink.spooled()).isZero();
		Arrays.sort(appendNanos);
		System.out.printf("audit store: %d events offered at %.0f/s, all inserted after %.2fs (%.0f/s); "
				+ "append p50 %.1f us, p99 %.1f us; insert %.2f ms per 1000 events; max queued %d%n", total,
				total / (sent / 1e9), done / 1e9, total / (done / 1e9), appendNanos[total / 2] / 1e3,
				appendNanos[total * 99 / 100] / 1e3, sink.insertNanos() / 1e6 / (total / 1000.0), maxQueued);
		assertThat(maxQueued).as("events waiting in memory").isLessThan(RATE);
		sink.close();
	}

	static final int RATE = 2000;

	static final int SECONDS = 5;

	private static String verify(String database) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
		int exit = DatabaseAuditVerifier.run(List.of(), Map.of("WARDEN_STORE_URL", postgres.jdbcUrl(database),
				"WARDEN_STORE_USERNAME", PostgresServer.USER), print, print);
		return exit + " " + out.toString(StandardCharsets.UTF_8);
	}

}
