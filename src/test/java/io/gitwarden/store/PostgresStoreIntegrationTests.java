package io.gitwarden.store;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.gitwarden.GitWardenApplication;
import io.gitwarden.embedded.EmbeddedGitServer;
import io.gitwarden.testsupport.Eventually;
import io.gitwarden.testsupport.GitCli;
import io.gitwarden.testsupport.PostgresServer;
import io.gitwarden.testsupport.TestRepositories;
import io.gitwarden.testsupport.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two git-warden replicas (two Spring contexts on their own ports) sharing one real PostgreSQL database:
 * revocations reach every replica within a second and survive restarts, every request of either replica
 * lands in the database as part of a verifiable chain, and an outage of the database neither stops git
 * traffic nor loses an event.
 */
class PostgresStoreIntegrationTests {

	static final String UPSTREAM_TOKEN = "ghs_store-upstream-token";

	static final String ADMIN_TOKEN = "admin-token-0123456789abcdef";

	static final JsonMapper JSON = JsonMapper.builder().build();

	static PostgresServer postgres;

	static String database;

	static Path scratch;

	static EmbeddedGitServer upstream;

	static String repo;

	static Replica a;

	static Replica b;

	final HttpClient http = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	/** One running instance. */
	record Replica(String name, ConfigurableApplicationContext context, int port) {

		String base() {
			return "http://127.0.0.1:" + this.port;
		}

		void close() {
			this.context.close();
		}

	}

	@BeforeAll
	static void start() throws Exception {
		postgres = PostgresServer.shared();
		database = postgres.createDatabase();
		scratch = Files.createTempDirectory("warden-store-it");
		GitCli git = new GitCli(scratch.resolve("home"));
		TestRepositories repositories = new TestRepositories(git, Files.createDirectories(scratch.resolve("repos")),
				scratch);
		repo = "acme/fleet";
		repositories.create(repo, 2);
		upstream = EmbeddedGitServer.start(repositories.root(), UPSTREAM_TOKEN, (receivePack) -> {
		});
		a = replica("a");
		b = replica("b");
	}

	@AfterAll
	static void stop() {
		for (Replica replica : new Replica[] { a, b }) {
			if (replica != null) {
				replica.close();
			}
		}
		if (upstream != null) {
			upstream.close();
		}
	}

	static Replica replica(String name) {
		Path directory = scratch.resolve(name);
		Map<String, String> properties = Map.ofEntries(Map.entry("server.port", "0"),
				Map.entry("server.address", "127.0.0.1"), Map.entry("warden.upstream.url", upstream.baseUrl().toString()),
				Map.entry("warden.upstream.token", UPSTREAM_TOKEN), Map.entry("warden.auth.hmac-secret", Tokens.SECRET),
				Map.entry("warden.admin.token", ADMIN_TOKEN), Map.entry("warden.store.url", postgres.jdbcUrl(database)),
				Map.entry("warden.store.username", PostgresServer.USER), Map.entry("warden.store.resync-interval", "2s"),
				Map.entry("warden.store.spool-file", directory.resolve("spool.jsonl").toString()),
				Map.entry("warden.audit.file", directory.resolve("audit.jsonl").toString()));
		String[] arguments = properties.entrySet()
			.stream()
			.map((entry) -> "--" + entry.getKey() + "=" + entry.getValue())
			.toArray(String[]::new);
		ConfigurableApplicationContext context = new SpringApplicationBuilder(GitWardenApplication.class)
			.run(arguments);
		int port = ((WebServerApplicationContext) context).getWebServer().getPort();
		return new Replica(name, context, port);
	}

	@Test
	void aSessionRevokedThroughOneReplicaIsRefusedByTheOtherWithinOneSecond() throws Exception {
		String session = "s-" + UUID.randomUUID();
		String token = Tokens.forRepo(repo).claim("sub", session).sign();
		assertThat(infoRefs(b, token).statusCode()).isEqualTo(200);
		assertThat(revoke(a, session).statusCode()).isEqualTo(204);
		long revoked = System.nanoTime();
		HttpResponse<String> refused = Eventually.await(() -> infoRefs(b, token), (r) -> r.statusCode() == 401);
		long elapsedMillis = (System.nanoTime() - revoked) / 1_000_000;
		assertThat(refused.statusCode()).isEqualTo(401);
		assertThat(refused.body()).contains("session revoked");
		assertThat(elapsedMillis).as("milliseconds until the other replica refused").isLessThan(1000);
		assertThat(infoRefs(a, token).statusCode()).isEqualTo(401);
		assertThat(count("SELECT count(*) FROM warden_revocation WHERE session = ?", session)).isOne();
	}

	@Test
	void aThousandRequestsSpreadOverBothReplicasGiveAThousandEventsInVerifiedChains() throws Exception {
		String session = "s-" + UUID.randomUUID();
		String token = Tokens.forRepo(repo).claim("sub", session).sign();
		ExecutorService executor = Executors.newFixedThreadPool(16);
		try {
			List<Future<Integer>> statuses = new ArrayList<>();
			for (int i = 0; i < 1000; i++) {
				Replica replica = (i % 2 == 0) ? a : b;
				statuses.add(executor.submit(() -> infoRefs(replica, token).statusCode()));
			}
			for (Future<Integer> status : statuses) {
				assertThat(status.get()).isEqualTo(200);
			}
		}
		finally {
			executor.shutdownNow();
		}
		long stored = Eventually.await(() -> count("SELECT count(*) FROM warden_audit_event WHERE session = ?", session),
				(n) -> n >= 1000);
		assertThat(stored).isEqualTo(1000);
		assertThat(count("SELECT count(DISTINCT chain) FROM warden_audit_event WHERE session = ?", session))
			.isEqualTo(2);
		assertThat(verify()).startsWith("OK").contains("chains");

		// the admin query of either replica answers for the whole fleet, a page at a time
		List<String> requestIds = new ArrayList<>();
		String next = "/admin/v1/audit?session=" + session + "&limit=300";
		int pages = 0;
		while (next != null) {
			HttpResponse<String> page = admin(b, "GET", next);
			assertThat(page.statusCode()).isEqualTo(200);
			JsonNode events = JSON.readTree(page.body());
			events.forEach((event) -> requestIds.add(event.get("requestId").asString()));
			next = page.headers()
				.firstValue("Link")
				.map((link) -> URI.create(link.substring(1, link.indexOf('>'))))
				.map((uri) -> uri.getRawPath() + "?" + uri.getRawQuery())
				.orElse(null);
			pages++;
		}
		assertThat(requestIds).hasSize(1000).doesNotHaveDuplicates();
		assertThat(pages).isBetween(4, 5);
	}

	@Test
	void theSessionsSummaryCountsAndChainStatusCoverTheFleet() throws Exception {
		String session = "s-" + UUID.randomUUID();
		String token = Tokens.forRepo(repo).claim("sub", session).sign();
		java.time.Instant before = java.time.Instant.now().minusSeconds(1);
		GitCli git = new GitCli(scratch.resolve("home"));
		Path work = scratch.resolve(session);
		// clone through replica a, push through replica b
		git.run(scratch, "clone", "-q", "http://x:" + token + "@127.0.0.1:" + a.port() + "/" + repo + ".git",
				work.toString()).assertSuccess();
		Files.writeString(work.resolve("summary.txt"), session + "\n");
		git.run(work, "add", ".").assertSuccess();
		git.run(work, "commit", "-q", "-m", "work").assertSuccess();
		String viaB = "http://x:" + token + "@127.0.0.1:" + b.port() + "/" + repo + ".git";
		git.run(work, "push", "-q", viaB, "HEAD:refs/heads/agent/work").assertSuccess();
		assertThat(git.run(work, "push", viaB, "HEAD:refs/heads/main").exitCode()).isNotZero();
		Eventually.await(() -> count("SELECT count(*) FROM warden_audit_event WHERE session = ? "
				+ "AND (line::jsonb)->>'operation' = 'push'", session), (n) -> n == 2);

		HttpResponse<String> response = admin(a, "GET", "/admin/v1/sessions?since=" + before);
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode summary = null;
		for (JsonNode row : JSON.readTree(response.body()).get("sessions")) {
			if (session.equals(row.get("session").asString())) {
				summary = row;
			}
		}
		assertThat(summary).as("the session in the fleet's summary").isNotNull();
		assertThat(summary.get("pushes").asLong()).isEqualTo(2);
		assertThat(summary.get("fetches").asLong()).isPositive();
		assertThat(summary.get("denials").asLong()).isEqualTo(1);
		assertThat(summary.get("repositories").get(0).asString()).isEqualTo(repo);
		assertThat(summary.get("refs").toString()).contains("refs/heads/agent/work").contains("refs/heads/main");
		assertThat(summary.get("reasons").get(0).asString()).isEqualTo("protected-branch");
		assertThat(summary.get("requests").asLong())
			.isEqualTo(count("SELECT count(*) FROM warden_audit_event WHERE session = ?", session));

		JsonNode counts = JSON.readTree(admin(b, "GET", "/admin/v1/audit/counts?session=" + session + "&since="
				+ before).body());
		assertThat(counts.get("events").asLong()).isEqualTo(summary.get("requests").asLong());
		assertThat(counts.at("/byDecision/denied").asLong()).isEqualTo(1);
		assertThat(counts.at("/byOperation/push").asLong()).isEqualTo(2);
		assertThat(counts.at("/byReason/protected-branch").asLong()).isEqualTo(1);
		JsonNode denied = JSON.readTree(admin(b, "GET", "/admin/v1/audit?session=" + session
				+ "&reason=protected-branch").body());
		assertThat(denied).hasSize(1);

		io.gitwarden.audit.AuditChains.Report report = a.context()
			.getBean(io.gitwarden.audit.AuditChains.class)
			.verify();
		assertThat(report.store()).contains("shared store");
		assertThat(report.ok()).as(report.toString()).isTrue();
		assertThat(report.chains()).hasSizeGreaterThanOrEqualTo(2);
		assertThat(report.chains()).allSatisfy((chain) -> assertThat(chain.start()).isIn("from genesis", "empty"));
	}

	@Test
	void gitTrafficGoesOnWhilePostgresIsDownAndNoEventIsLost() throws Exception {
		String session = "s-" + UUID.randomUUID();
		String token = Tokens.forRepo(repo).claim("sub", session).sign();
		String revokedSession = "s-" + UUID.randomUUID();
		String revokedToken = Tokens.forRepo(repo).claim("sub", revokedSession).sign();
		assertThat(revoke(a, revokedSession).statusCode()).isEqualTo(204);
		Eventually.await(() -> infoRefs(b, revokedToken).statusCode(), (status) -> status == 401);

		AtomicBoolean running = new AtomicBoolean(true);
		AtomicInteger sent = new AtomicInteger();
		List<Integer> failures = java.util.Collections.synchronizedList(new ArrayList<>());
		Thread traffic = new Thread(() -> {
			while (running.get()) {
				Replica replica = (sent.get() % 2 == 0) ? a : b;
				try {
					int status = infoRefs(replica, token).statusCode();
					if (status != 200) {
						failures.add(status);
					}
				}
				catch (Exception ex) {
					failures.add(-1);
				}
				sent.incrementAndGet();
				LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
			}
		});
		traffic.start();
		try {
			Eventually.await(sent::get, (n) -> n >= 20);
			postgres.stop();
			try {
				int before = sent.get();
				long down = System.nanoTime();
				// while it is down: revocations cannot be stored (503), those known are still enforced
				HttpResponse<String> refused = revoke(a, "s-during-outage");
				assertThat(refused.statusCode()).isEqualTo(503);
				assertThat(JSON.readTree(refused.body()).get("error").asString()).isEqualTo("store_unavailable");
				assertThat(infoRefs(a, revokedToken).statusCode()).isEqualTo(401);
				assertThat(infoRefs(b, revokedToken).statusCode()).isEqualTo(401);
				assertThat(admin(a, "GET", "/admin/v1/audit?limit=1").statusCode()).isEqualTo(503);
				LockSupport.parkNanos(Duration.ofSeconds(10).toNanos() - (System.nanoTime() - down));
				assertThat(sent.get() - before).as("requests served during the outage").isGreaterThan(50);
			}
			finally {
				postgres.start();
			}
			int after = sent.get();
			Eventually.await(sent::get, (n) -> n >= after + 20);
		}
		finally {
			running.set(false);
			traffic.join();
		}
		assertThat(failures).isEmpty();
		long stored = Eventually.await(() -> count("SELECT count(*) FROM warden_audit_event WHERE session = ?", session),
				(n) -> n >= sent.get());
		assertThat(stored).isEqualTo(sent.get());
		assertThat(verify()).startsWith("OK");
		// a revocation is accepted again, and reaches the other replica
		String later = "s-" + UUID.randomUUID();
		assertThat(revoke(a, later).statusCode()).isEqualTo(204);
		String laterToken = Tokens.forRepo(repo).claim("sub", later).sign();
		assertThat(Eventually.await(() -> infoRefs(b, laterToken).statusCode(), (status) -> status == 401))
			.isEqualTo(401);
	}

	@Test
	void aReplicaRestartedAfterARevocationStillRefusesTheSession() throws Exception {
		String session = "s-" + UUID.randomUUID();
		String token = Tokens.forRepo(repo).claim("sub", session).sign();
		assertThat(revoke(a, session).statusCode()).isEqualTo(204);
		b.close();
		b = replica("b");
		HttpResponse<String> first = infoRefs(b, token);
		assertThat(first.statusCode()).isEqualTo(401);
		assertThat(first.body()).contains("session revoked");
	}

	private HttpResponse<String> infoRefs(Replica replica, String token) throws IOException, InterruptedException {
		return this.http.send(HttpRequest
			.newBuilder(URI.create(replica.base() + "/" + repo + ".git/info/refs?service=git-upload-pack"))
			.header("Authorization", "Bearer " + token)
			.timeout(Duration.ofSeconds(30))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> revoke(Replica replica, String session) throws IOException, InterruptedException {
		return admin(replica, "POST", "/admin/v1/sessions/" + session + "/revoke");
	}

	private HttpResponse<String> admin(Replica replica, String method, String path)
			throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(URI.create(replica.base() + path))
			.method(method, HttpRequest.BodyPublishers.noBody())
			.header("Authorization", "Bearer " + ADMIN_TOKEN)
			.timeout(Duration.ofSeconds(30))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	static long count(String sql, String parameter) throws SQLException {
		try (Connection connection = postgres.connect(database);
				PreparedStatement statement = connection.prepareStatement(sql)) {
			statement.setString(1, parameter);
			try (ResultSet result = statement.executeQuery()) {
				result.next();
				return result.getLong(1);
			}
		}
	}

	/** {@code audit verify} as an operator runs it, with the store's URL as an argument. */
	static String verify() {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
		int exit = DatabaseAuditVerifier.run(List.of("--warden.store.url=" + postgres.jdbcUrl(database),
				"--warden.store.username=" + PostgresServer.USER), Map.of(), print, print);
		String output = out.toString(StandardCharsets.UTF_8);
		String[] lines = output.trim().split("\n");
		return (exit == 0 ? "" : "exit " + exit + ": ") + lines[lines.length - 1] + "\n" + output;
	}

}
