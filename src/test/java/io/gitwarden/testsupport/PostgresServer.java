package io.gitwarden.testsupport;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests, from the binaries of the machine's {@code postgresql} package
 * ({@code /usr/lib/postgresql/<version>/bin}, which {@code .ci/run} installs when missing; or the directory
 * in {@code WARDEN_TEST_PG_BIN}). No Docker. PostgreSQL refuses to run as root, so as root every command
 * runs as the {@code postgres} user ({@code runuser}). The cluster lives in a temporary directory, listens
 * on 127.0.0.1 only, trusts local connections, and is started once per test JVM ({@link #shared()}); each
 * test class takes a database of its own ({@link #createDatabase()}). {@link #stop()} and {@link #start()}
 * simulate an outage.
 */
public final class PostgresServer {

	public static final String USER = "postgres";

	private static final AtomicInteger DATABASES = new AtomicInteger();

	private static PostgresServer shared;

	private final Path bin;

	private final Path directory;

	private final int port;

	private final boolean root;

	private PostgresServer(Path bin, Path directory, int port) {
		this.bin = bin;
		this.directory = directory;
		this.port = port;
		this.root = "root".equals(System.getProperty("user.name"));
	}

	/** The server of this JVM, initialised and started on first use, stopped and deleted at exit. */
	public static synchronized PostgresServer shared() {
		if (shared == null) {
			try {
				Path directory = Files.createTempDirectory("warden-pg");
				PostgresServer server = new PostgresServer(binaries(), directory, freePort());
				server.init();
				server.start();
				Runtime.getRuntime().addShutdownHook(new Thread(server::destroy));
				shared = server;
			}
			catch (IOException ex) {
				throw new IllegalStateException("cannot start PostgreSQL for the tests: " + ex.getMessage(), ex);
			}
		}
		return shared;
	}

	private static Path binaries() {
		String configured = System.getenv("WARDEN_TEST_PG_BIN");
		if (configured != null && !configured.isBlank()) {
			return Path.of(configured);
		}
		Path versions = Path.of("/usr/lib/postgresql");
		if (Files.isDirectory(versions)) {
			try (Stream<Path> list = Files.list(versions)) {
				return list.map((version) -> version.resolve("bin"))
					.filter((bin) -> Files.isExecutable(bin.resolve("pg_ctl")))
					.max(Comparator.comparing((bin) -> Integer.parseInt(bin.getParent().getFileName().toString()
						.replaceAll("\\D", "0"))))
					.orElseThrow(() -> new IllegalStateException("no PostgreSQL under " + versions));
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		}
		throw new IllegalStateException("PostgreSQL binaries not found: install the postgresql package "
				+ "(.ci/run does) or set WARDEN_TEST_PG_BIN");
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	private void init() throws IOException {
		if (this.root) {
			run(List.of("chown", "-R", "postgres:postgres", this.directory.toString()), false);
		}
		run(List.of(this.bin.resolve("initdb").toString(), "-D", data(), "-A", "trust", "-U", USER, "-E", "UTF8",
				"--no-sync", "--locale=C"), true);
	}

	private String data() {
		return this.directory.resolve("data").toString();
	}

	/** Starts the server (again) and waits until it accepts connections. */
	public void start() {
		String options = "-p " + this.port + " -k " + this.directory + " -c listen_addresses=127.0.0.1"
				+ " -c fsync=off -c full_page_writes=off -c max_connections=100";
		run(List.of(this.bin.resolve("pg_ctl").toString(), "-D", data(), "-o", options, "-l",
				this.directory.resolve("server.log").toString(), "-w", "-t", "60", "start"), true);
	}

	/** Stops the server at once (connections are cut, as in an outage). */
	public void stop() {
		run(List.of(this.bin.resolve("pg_ctl").toString(), "-D", data(), "-m", "immediate", "-w", "stop"), true);
	}

	private void destroy() {
		try {
			run(List.of(this.bin.resolve("pg_ctl").toString(), "-D", data(), "-m", "immediate", "-w", "stop"), true);
		}
		catch (RuntimeException ignored) {
			// not running
		}
		try (Stream<Path> files = Files.walk(this.directory)) {
			files.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException ignored) {
			// a temporary directory
		}
	}

	public int port() {
		return this.port;
	}

	public String jdbcUrl(String database) {
		return "jdbc:postgresql://127.0.0.1:" + this.port + "/" + database;
	}

	/** A new, empty database; its name. */
	public String createDatabase() {
		String name = "warden_" + DATABASES.incrementAndGet();
		try (Connection connection = connect("postgres"); Statement statement = connection.createStatement()) {
			statement.execute("CREATE DATABASE " + name);
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
		return name;
	}

	public Connection connect(String database) throws SQLException {
		return DriverManager.getConnection(jdbcUrl(database), USER, "");
	}

	private void run(List<String> command, boolean asPostgres) {
		List<String> full = new ArrayList<>();
		if (asPostgres && this.root) {
			full.addAll(List.of("runuser", "-u", "postgres", "--"));
		}
		full.addAll(command);
		try {
			Path log = Files.createTempFile("warden-pg-command", ".log");
			Process process = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile()).start();
			if (!process.waitFor(120, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new IllegalStateException("timed out: " + String.join(" ", full));
			}
			String output = Files.readString(log);
			Files.deleteIfExists(log);
			if (process.exitValue() != 0) {
				throw new IllegalStateException(String.join(" ", full) + " failed (" + process.exitValue() + "):\n"
						+ output);
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
