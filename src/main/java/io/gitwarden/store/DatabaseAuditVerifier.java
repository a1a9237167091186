package io.gitwarden.store;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import io.gitwarden.audit.AuditVerifier;
import io.gitwarden.config.InvalidConfigurationException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code java -jar git-warden.jar audit verify}: with {@code FILE...} it checks audit files
 * ({@link AuditVerifier}); with the store's settings ({@code --warden.store.url=...},
 * {@code --warden.store.username=...}, {@code --warden.store.password=...}, or the environment variables
 * {@code WARDEN_STORE_URL}, {@code WARDEN_STORE_USERNAME}, {@code WARDEN_STORE_PASSWORD}, the password also as
 * {@code file:<path>}) and no file, it checks every chain in the database: seq numbers without gaps, each
 * {@code prev} the hash of the line before, each line's own chain and seq equal to its row's, and the row's
 * query columns equal to the line's fields. Runs without Spring and reads each chain in order with bounded
 * memory.
 */
public final class DatabaseAuditVerifier {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** Problems reported per chain before the rest are only counted. */
	private static final int MAX_REPORTED = 20;

	private DatabaseAuditVerifier() {
	}

	/**
	 * @param args what follows {@code audit verify}
	 * @param environment the process environment
	 * @return the exit code: 0 when every chain holds, 1 when one is broken, 2 on a usage or I/O error
	 */
	public static int run(List<String> args, Map<String, String> environment, PrintStream out, PrintStream err) {
		String url = environment.get("WARDEN_STORE_URL");
		String username = environment.get("WARDEN_STORE_USERNAME");
		String password = environment.get("WARDEN_STORE_PASSWORD");
		List<String> files = new ArrayList<>();
		for (String arg : args) {
			if (arg.startsWith("--warden.store.url=")) {
				url = arg.substring("--warden.store.url=".length());
			}
			else if (arg.startsWith("--warden.store.username=")) {
				username = arg.substring("--warden.store.username=".length());
			}
			else if (arg.startsWith("--warden.store.password=")) {
				password = arg.substring("--warden.store.password=".length());
			}
			else if (arg.startsWith("--")) {
				err.println("unknown option " + arg.split("=", 2)[0]);
				return usage(err);
			}
			else {
				files.add(arg);
			}
		}
		if (!files.isEmpty()) {
			return AuditVerifier.run(files, out, err);
		}
		if (url == null || url.isBlank()) {
			return usage(err);
		}
		try {
			StoreProperties properties = new StoreProperties(url, username, password, Path.of("unused"),
					Duration.ofSeconds(10), Duration.ofSeconds(30));
			return verify(Database.connectOnly(properties), out, err);
		}
		catch (InvalidConfigurationException | IllegalArgumentException ex) {
			err.println("cannot verify the audit store: " + ex.getMessage());
			return 2;
		}
	}

	private static int usage(PrintStream err) {
		err.println("usage: java -jar git-warden.jar audit verify FILE... (oldest first)");
		err.println("   or: java -jar git-warden.jar audit verify --warden.store.url=jdbc:postgresql://HOST/DB "
				+ "[--warden.store.username=USER] [--warden.store.password=PASSWORD|file:PATH]");
		err.println("       (or WARDEN_STORE_URL, WARDEN_STORE_USERNAME, WARDEN_STORE_PASSWORD in the environment)");
		return 2;
	}

	static int verify(Database database, PrintStream out, PrintStream err) {
		List<ChainResult> results;
		try {
			results = verifyAll(database);
		}
		catch (SQLException ex) {
			err.println("cannot read the audit store: " + Database.describe(ex));
			return 2;
		}
		long events = 0;
		int broken = 0;
		for (ChainResult result : results) {
			events += result.events();
			for (String problem : result.problems()) {
				err.println("BROKEN chain " + result.chain() + " " + problem);
			}
			if (result.problems().isEmpty()) {
				out.println("OK chain " + result.chain() + ": " + result.summary());
			}
			else {
				broken++;
				if (result.unreported() > 0) {
					err.println("BROKEN chain " + result.chain() + ": " + result.unreported() + " more problem(s)");
				}
			}
		}
		if (broken > 0) {
			err.println("BROKEN " + broken + " of " + results.size() + " chains (" + events + " events)");
			return 1;
		}
		out.println("OK " + results.size() + " chains, " + events + " events");
		return 0;
	}

	/** Verifies every chain in the database, in one read-only transaction. */
	static List<ChainResult> verifyAll(Database database) throws SQLException {
		try (Connection connection = database.connect()) {
			connection.setAutoCommit(false);
			connection.setReadOnly(true);
			List<UUID> chains = new ArrayList<>();
			try (PreparedStatement select = connection.prepareStatement("""
					SELECT chain FROM warden_audit_chain
					UNION SELECT DISTINCT chain FROM warden_audit_event ORDER BY 1""");
					ResultSet result = select.executeQuery()) {
				while (result.next()) {
					chains.add(result.getObject(1, UUID.class));
				}
			}
			List<ChainResult> results = new ArrayList<>();
			for (UUID chain : chains) {
				results.add(verifyChain(connection, chain));
			}
			connection.rollback();
			return results;
		}
	}

	private static ChainResult verifyChain(Connection connection, UUID chain) throws SQLException {
		List<String> problems = new ArrayList<>();
		long unreported = 0;
		long events = 0;
		long first = 0;
		long previousSeq = 0;
		String previousHash = null;
		String anchor = null;
		String lastTime = null;
		try (PreparedStatement select = connection.prepareStatement("""
				SELECT seq, line, request_id, session, repo, decision, time FROM warden_audit_event
				WHERE chain = ? ORDER BY seq""")) {
			select.setFetchSize(1000);
			select.setObject(1, chain);
			try (ResultSet result = select.executeQuery()) {
				while (result.next()) {
					long seq = result.getLong(1);
					byte[] line = result.getString(2).getBytes(StandardCharsets.UTF_8);
					events++;
					String problem = check(chain, seq, line, result);
					String prev = (problem == null) ? prev(line) : null;
					if (events == 1) {
						first = seq;
						anchor = prev;
						if (seq == 1 && problem == null && !PostgresAuditSink.GENESIS.equals(prev)) {
							problem = "'prev' of the first event is not the genesis";
						}
					}
					else if (seq != previousSeq + 1) {
						problem = "seq " + (previousSeq + 1) + ((seq - 1 > previousSeq + 1) ? ".." + (seq - 1) : "")
								+ ": missing (deleted)";
					}
					else if (problem == null && !Objects.equals(previousHash, prev)) {
						problem = "'prev' does not match the previous event (seq " + previousSeq
								+ " was edited, or this one was)";
					}
					if (problem != null) {
						if (problems.size() < MAX_REPORTED) {
							problems.add(problem.startsWith("seq ") ? problem : "seq " + seq + ": " + problem);
						}
						else {
							unreported++;
						}
					}
					previousSeq = seq;
					previousHash = PostgresAuditSink.sha256(line);
					if (problems.isEmpty()) {
						lastTime = result.getTimestamp(7).toInstant().toString() + " (seq " + seq + ")";
					}
				}
			}
		}
		String summary = (events == 0) ? "no events"
				: events + " events, seq " + first + ".." + previousSeq
						+ ((first == 1) ? " (from genesis)" : " (older events deleted; continuing from " + anchor + ")");
		String start = (events == 0) ? "empty"
				: (first == 1) ? "from genesis" : "continuing from " + anchor;
		return new ChainResult(chain, events, problems, unreported, summary, lastTime, start);
	}

	/** What is wrong with one row on its own, or {@code null}. */
	private static String check(UUID chain, long seq, byte[] line, ResultSet row) throws SQLException {
		JsonNode event;
		try {
			event = JSON.readTree(line);
		}
		catch (JacksonException ex) {
			return "the line is not JSON";
		}
		if (event == null || !event.isObject() || !event.path("prev").isString()) {
			return "the line is not a JSON object with a 'prev' hash";
		}
		if (!chain.toString().equals(event.path("chain").asString(null)) || event.path("seq").asLong(-1) != seq) {
			return "the row's chain or seq differs from its line (edited)";
		}
		String repo = event.path("repo").asString(null);
		if (!Objects.equals(row.getString(3), event.path("requestId").asString(null))
				|| !Objects.equals(row.getString(4), event.path("session").asString(null))
				|| !Objects.equals(row.getString(5), (repo != null) ? repo.toLowerCase(java.util.Locale.ROOT) : null)
				|| !Objects.equals(row.getString(6), event.path("decision").asString(null))) {
			return "the row's columns differ from its line (edited)";
		}
		return null;
	}

	private static String prev(byte[] line) {
		return JSON.readTree(line).path("prev").asString(null);
	}

	/**
	 * One chain's verification.
	 *
	 * @param chain the chain id
	 * @param events rows read
	 * @param problems the first problems found
	 * @param unreported problems found past those
	 * @param summary what {@code audit verify} prints for a chain that holds
	 * @param verifiedUpTo the time and seq of the last event before the first problem, or {@code null}
	 * @param start {@code from genesis}, {@code continuing from <hash>} or {@code empty}
	 */
	record ChainResult(UUID chain, long events, List<String> problems, long unreported, String summary,
			String verifiedUpTo, String start) {

	}

}
