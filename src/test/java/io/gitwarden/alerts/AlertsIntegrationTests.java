package io.gitwarden.alerts;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.gitwarden.testsupport.Eventually;
import io.gitwarden.testsupport.GitCli;
import io.gitwarden.testsupport.GitHttpBackendServer;
import io.gitwarden.testsupport.TestRepositories;
import io.gitwarden.testsupport.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Alerts end to end: the real git CLI through git-warden to {@code git http-backend}; the alerts go to real
 * HTTP receivers (WireMock, and a raw socket that accepts and never answers).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AlertsIntegrationTests {

	static final String UPSTREAM_TOKEN = "ghs_alerts-upstream-token";

	static final String SECRET = "webhook-secret-for-tests";

	static final String REPO = "acme/alerts";

	static final String OTHER_REPO = "acme/elsewhere";

	static final JsonMapper JSON = JsonMapper.builder().build();

	static Path scratch;

	static GitCli git;

	static GitHttpBackendServer upstream;

	static WireMockServer receiver;

	static StallingReceiver stalling;

	@LocalServerPort
	int port;

	@Autowired
	AlertSink alerts;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		scratch = Files.createTempDirectory("warden-alerts-it");
		git = new GitCli(scratch.resolve("home"));
		TestRepositories repositories = new TestRepositories(git, Files.createDirectories(scratch.resolve("repos")),
				scratch);
		repositories.create(REPO, 1);
		upstream = GitHttpBackendServer.start(repositories.root(), UPSTREAM_TOKEN);
		receiver = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
		receiver.start();
		warmUp(receiver.baseUrl());
		stalling = new StallingReceiver();
		registry.add("warden.upstream.url", () -> upstream.baseUrl().toString());
		registry.add("warden.upstream.token", () -> UPSTREAM_TOKEN);
		registry.add("warden.auth.hmac-secret", () -> Tokens.SECRET);
		registry.add("warden.alerts.webhooks[0].url", () -> receiver.baseUrl() + "/hook");
		registry.add("warden.alerts.webhooks[0].secret", () -> SECRET);
		registry.add("warden.alerts.webhooks[1].url", () -> receiver.baseUrl() + "/slack");
		registry.add("warden.alerts.webhooks[1].format", () -> "slack");
		registry.add("warden.alerts.webhooks[1].events", () -> "push.denied");
		registry.add("warden.alerts.webhooks[2].url", () -> "http://127.0.0.1:" + stalling.port() + "/stall");
		registry.add("warden.alerts.webhooks[2].events", () -> "push.denied");
		registry.add("warden.alerts.denials-threshold", () -> "3");
		registry.add("warden.alerts.denials-window", () -> "10m");
		registry.add("warden.alerts.senders", () -> "4");
		registry.add("warden.alerts.max-attempts", () -> "3");
		registry.add("warden.alerts.backoff", () -> "100ms");
		registry.add("warden.alerts.max-backoff", () -> "400ms");
		// long enough for a slow first answer of WireMock on a busy machine (a timeout is retried)
		registry.add("warden.alerts.timeout", () -> "15s");
	}

	@AfterAll
	static void stop() {
		upstream.close();
		receiver.stop();
		stalling.close();
	}

	@BeforeEach
	void receiversAccept() {
		receiver.resetAll();
		receiver.stubFor(post(urlPathEqualTo("/hook")).willReturn(aResponse().withStatus(204)));
		receiver.stubFor(post(urlPathEqualTo("/slack")).willReturn(aResponse().withStatus(200).withBody("ok")));
		stalling.stall(false);
	}

	@Test
	void aDeniedPushRaisesASignedCloudEventAndASlackMessage() throws Exception {
		String session = "alert-" + UUID.randomUUID();
		Path work = cloneAndCommit(session);
		git.run(work, "push", "-q", "origin", "HEAD:agent/" + session).assertSuccess(); // allowed: no alert
		assertThat(git.run(work, "push", "origin", "HEAD:main").exitCode()).isNotZero();

		LoggedRequest request = Eventually.await(() -> requestsFor("/hook", session), (found) -> !found.isEmpty()).get(0);
		assertThat(request.getHeader("Content-Type")).startsWith("application/cloudevents+json");
		assertThat(request.getHeader("X-Warden-Signature-256")).isEqualTo("sha256=" + hmac(SECRET, request.getBody()));
		assertThat(request.getHeader("X-Warden-Event")).isEqualTo("push.denied");
		JsonNode event = JSON.readTree(request.getBody());
		assertThat(event.get("specversion").asString()).isEqualTo("1.0");
		assertThat(event.get("type").asString()).isEqualTo("io.gitwarden.push.denied");
		assertThat(event.get("id").asString()).isEqualTo(request.getHeader("X-Warden-Delivery"));
		assertThat(event.get("source").asString()).startsWith("/git-warden/");
		assertThat(event.get("subject").asString()).isEqualTo(session);
		assertThat(event.get("time").asString()).endsWith("Z");
		JsonNode data = event.get("data");
		assertThat(data.get("decision").asString()).isEqualTo("denied");
		assertThat(data.get("repo").asString()).isEqualTo(REPO);
		assertThat(data.get("reason").get("code").asString()).isEqualTo("protected-branch");
		assertThat(data.get("updates").get(0).get("ref").asString()).isEqualTo("refs/heads/main");
		assertThat(new String(request.getBody(), StandardCharsets.UTF_8)).doesNotContain(Tokens.SECRET);

		LoggedRequest slack = Eventually.await(() -> requestsFor("/slack", session), (found) -> !found.isEmpty()).get(0);
		JsonNode message = JSON.readTree(slack.getBody());
		assertThat(message.propertyNames()).containsExactly("text");
		assertThat(message.get("text").asString())
			.isEqualTo("git-warden: push denied: session " + session + " on " + REPO
					+ ", refs/heads/main: refs/heads/main is protected; this session may push only to refs/heads/agent/"
					+ session + " [protected-branch]");
		assertThat(slack.getHeader("X-Warden-Signature-256")).isNull();
		// exactly one alert per receiver: the allowed push raised none
		assertThat(requestsFor("/hook", session)).hasSize(1);
		assertThat(requestsFor("/slack", session)).hasSize(1);
	}

	@Test
	void aServerErrorIsRetriedThenDeliveredOnce() throws Exception {
		receiver.resetAll();
		receiver.stubFor(post(urlPathEqualTo("/hook")).inScenario("flaky")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(aResponse().withStatus(500))
			.willSetStateTo("recovered"));
		receiver.stubFor(post(urlPathEqualTo("/hook")).inScenario("flaky")
			.whenScenarioStateIs("recovered")
			.willReturn(aResponse().withStatus(202)));
		receiver.stubFor(post(urlPathEqualTo("/slack")).willReturn(aResponse().withStatus(200)));
		long delivered = this.alerts.delivery().delivered();
		String session = "retry-" + UUID.randomUUID();
		Path work = cloneAndCommit(session);
		assertThat(git.run(work, "push", "origin", "HEAD:main").exitCode()).isNotZero();

		List<LoggedRequest> attempts = Eventually.await(() -> requestsFor("/hook", session), (found) -> found.size() >= 2);
		assertThat(attempts).hasSize(2);
		assertThat(attempts.get(0).getHeader("X-Warden-Delivery")).isEqualTo(attempts.get(1).getHeader("X-Warden-Delivery"));
		assertThat(attempts.get(1).getBody()).isEqualTo(attempts.get(0).getBody());
		assertThat(Eventually.await(() -> this.alerts.delivery().delivered(), (count) -> count >= delivered + 2))
			.as("the cloud event after its retry, and the slack message").isGreaterThanOrEqualTo(delivered + 2);
		// delivered once: no third attempt follows (the backoff is at most 400 ms; wait past it for another alert)
		String marker = "marker-" + UUID.randomUUID();
		Path other = cloneAndCommit(marker);
		assertThat(git.run(other, "push", "origin", "HEAD:main").exitCode()).isNotZero();
		Eventually.await(() -> requestsFor("/hook", marker), (found) -> !found.isEmpty());
		assertThat(requestsFor("/hook", session)).hasSize(2);
	}

	@Test
	void aClientErrorIsNotRetried() throws Exception {
		receiver.resetAll();
		receiver.stubFor(post(urlPathEqualTo("/hook")).willReturn(aResponse().withStatus(410)));
		receiver.stubFor(post(urlPathEqualTo("/slack")).willReturn(aResponse().withStatus(200)));
		long rejected = this.alerts.delivery().dropped(WebhookDelivery.DropCause.REJECTED);
		String session = "gone-" + UUID.randomUUID();
		Path work = cloneAndCommit(session);
		assertThat(git.run(work, "push", "origin", "HEAD:main").exitCode()).isNotZero();

		assertThat(Eventually.await(() -> this.alerts.delivery().dropped(WebhookDelivery.DropCause.REJECTED),
				(count) -> count > rejected)).isEqualTo(rejected + 1);
		// a later alert went through the same pool after it; the refused one was still tried once only
		String marker = "marker-" + UUID.randomUUID();
		Path other = cloneAndCommit(marker);
		assertThat(git.run(other, "push", "origin", "HEAD:main").exitCode()).isNotZero();
		Eventually.await(() -> requestsFor("/hook", marker), (found) -> !found.isEmpty());
		Eventually.await(() -> requestsFor("/slack", marker), (found) -> !found.isEmpty());
		assertThat(requestsFor("/hook", session)).hasSize(1);
	}

	@Test
	void aReceiverThatHangsDoesNotDelayGitTraffic() throws Exception {
		stalling.stall(true);
		String session = "hang-" + UUID.randomUUID();
		Path work = cloneAndCommit(session);
		CountDownLatch before = stalling.received();
		long started = System.nanoTime();
		GitCli.Result denied = git.run(work, "push", "origin", "HEAD:main");
		Duration deniedPush = Duration.ofNanos(System.nanoTime() - started);
		assertThat(denied.exitCode()).isNotZero();
		assertThat(denied.stderr()).contains("this session may push only to refs/heads/agent/" + session);
		assertThat(before.await(20, TimeUnit.SECONDS)).as("the stalling receiver got the alert").isTrue();
		// while the receiver holds the alert, git goes on at full speed
		started = System.nanoTime();
		git.run(work, "push", "-q", "origin", "HEAD:agent/" + session).assertSuccess();
		assertThat(git.run(work, "push", "origin", "HEAD:main").exitCode()).isNotZero();
		Duration nextPushes = Duration.ofNanos(System.nanoTime() - started);
		System.out.println("Pushes while the alert receiver stalls: refused push " + deniedPush.toMillis()
				+ " ms, allowed + refused push " + nextPushes.toMillis() + " ms");
		assertThat(deniedPush).isLessThan(Duration.ofSeconds(10));
		assertThat(nextPushes).isLessThan(Duration.ofSeconds(10));
		assertThat(stalling.connections()).isGreaterThanOrEqualTo(1);
		// the other receivers got the alerts in the meantime
		Eventually.await(() -> requestsFor("/hook", session), (found) -> found.size() >= 2);
		assertThat(requestsFor("/hook", session)).hasSize(2);
	}

	@Test
	void repeatedDenialsRaiseOneSuspiciousSessionAlertPerWindow() throws Exception {
		String session = "suspicious-" + UUID.randomUUID();
		String token = Tokens.forRepo(REPO).claim("sub", session).sign();
		for (int i = 0; i < 6; i++) {
			GitCli.Result result = git.run(scratch, "ls-remote", url(token, OTHER_REPO));
			assertThat(result.exitCode()).isNotZero();
		}
		List<LoggedRequest> suspicious = Eventually.await(() -> requestsFor("/hook", session).stream()
			.filter((request) -> "session.suspicious".equals(request.getHeader("X-Warden-Event")))
			.toList(), (found) -> !found.isEmpty());
		assertThat(suspicious).hasSize(1);
		JsonNode event = JSON.readTree(suspicious.get(0).getBody());
		assertThat(event.get("type").asString()).isEqualTo("io.gitwarden.session.suspicious");
		assertThat(event.get("subject").asString()).isEqualTo(session);
		JsonNode data = event.get("data");
		assertThat(data.get("denials").asInt()).isEqualTo(4);
		assertThat(data.get("window").asString()).isEqualTo("PT10M");
		assertThat(data.get("repositories").get(0).asString()).isEqualTo(OTHER_REPO);
		assertThat(data.get("reasons").get(0).asString()).isEqualTo("repository-not-in-scope");
		assertThat(this.alerts.isSuspicious(session)).isTrue();
		// denied fetches are not sent by default (request.denied is not selected): only the suspicion was
		assertThat(requestsFor("/hook", session)).hasSize(1);

		// more denials within the same window: still one alert
		for (int i = 0; i < 4; i++) {
			assertThat(git.run(scratch, "ls-remote", url(token, OTHER_REPO)).exitCode()).isNotZero();
		}
		String marker = "marker-" + UUID.randomUUID();
		assertThat(git.run(cloneAndCommit(marker), "push", "origin", "HEAD:main").exitCode()).isNotZero();
		Eventually.await(() -> requestsFor("/hook", marker), (found) -> !found.isEmpty());
		assertThat(requestsFor("/hook", session)).hasSize(1);
	}

	private Path cloneAndCommit(String session) throws IOException {
		String token = Tokens.forRepo(REPO).claim("sub", session).claim("branch", "agent/" + session).sign();
		Path work = scratch.resolve(session);
		git.run(scratch, "clone", "-q", url(token, REPO), work.toString()).assertSuccess();
		Files.writeString(work.resolve("agent.txt"), session + "\n");
		git.run(work, "add", ".").assertSuccess();
		git.run(work, "commit", "-q", "-m", "agent work").assertSuccess();
		return work;
	}

	private String url(String token, String repo) {
		return "http://x:" + token + "@127.0.0.1:" + this.port + "/" + repo + ".git";
	}

	/** Requests a receiver path got whose body names the session (the CloudEvents subject, or the Slack text). */
	private static List<LoggedRequest> requestsFor(String path, String session) {
		// by serve event id: the journal lists each request received once
		java.util.Map<UUID, LoggedRequest> requests = new java.util.LinkedHashMap<>();
		for (com.github.tomakehurst.wiremock.stubbing.ServeEvent event : receiver.getAllServeEvents()) {
			LoggedRequest request = event.getRequest();
			if (path.equals(request.getUrl())
					&& new String(request.getBody(), StandardCharsets.UTF_8).contains(session)) {
				requests.putIfAbsent(event.getId(), request);
			}
		}
		List<LoggedRequest> oldestFirst = new java.util.ArrayList<>(requests.values());
		java.util.Collections.reverse(oldestFirst);
		return oldestFirst;
	}

	/** One request first: WireMock's first answer can take seconds (class loading), later ones do not. */
	private static void warmUp(String baseUrl) {
		try {
			java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(baseUrl + "/warm-up")).build(),
					java.net.http.HttpResponse.BodyHandlers.discarding());
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static String hmac(String secret, byte[] body) throws Exception {
		Mac mac = Mac.getInstance("HmacSHA256");
		mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
		return HexFormat.of().formatHex(mac.doFinal(body));
	}

	/**
	 * An HTTP receiver on a raw socket: answers 204 at once, or, while stalling, reads the request and never
	 * answers (the connection stays open until the test ends).
	 */
	static final class StallingReceiver implements AutoCloseable {

		private final ServerSocket server;

		private final List<Socket> held = new CopyOnWriteArrayList<>();

		private volatile boolean stall;

		private volatile CountDownLatch received = new CountDownLatch(1);

		private volatile int connections;

		StallingReceiver() throws IOException {
			this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
			Thread accept = new Thread(this::accept, "stalling-receiver");
			accept.setDaemon(true);
			accept.start();
		}

		int port() {
			return this.server.getLocalPort();
		}

		void stall(boolean stall) {
			this.stall = stall;
			this.received = new CountDownLatch(1);
		}

		CountDownLatch received() {
			return this.received;
		}

		int connections() {
			return this.connections;
		}

		private void accept() {
			while (!this.server.isClosed()) {
				try {
					Socket socket = this.server.accept();
					this.connections++;
					Thread handler = new Thread(() -> handle(socket), "stalling-receiver-connection");
					handler.setDaemon(true);
					handler.start();
				}
				catch (IOException ex) {
					return;
				}
			}
		}

		private void handle(Socket socket) {
			try {
				InputStream in = socket.getInputStream();
				readRequest(in);
				if (this.stall) {
					this.held.add(socket);
					this.received.countDown();
					return; // never answer
				}
				socket.getOutputStream()
					.write("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
				socket.close();
			}
			catch (IOException ex) {
				// the sender gave up
			}
		}

		private static void readRequest(InputStream in) throws IOException {
			StringBuilder head = new StringBuilder();
			while (!head.toString().endsWith("\r\n\r\n")) {
				int b = in.read();
				if (b < 0) {
					return;
				}
				head.append((char) b);
			}
			java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)")
				.matcher(head);
			if (length.find()) {
				in.readNBytes(Integer.parseInt(length.group(1)));
			}
		}

		@Override
		public void close() {
			try {
				this.server.close();
				for (Socket socket : this.held) {
					socket.close();
				}
			}
			catch (IOException ignored) {
				// closing anyway
			}
		}

	}

}
