package io.gitwarden.cache;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.gitwarden.embedded.LoopbackTomcat;
import io.gitwarden.testsupport.Eventually;
import io.gitwarden.testsupport.GitCli;
import io.gitwarden.testsupport.GitHttpBackendServer;
import io.gitwarden.testsupport.Tokens;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jgit.transport.PacketLineOut;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The upstream is the gate: with the upstream failing, a clone fails whether the mirror is cold or warm
 * (git fetches only after a successful advertisement, which always comes from the upstream), and a
 * session that may not read a repository gets nothing from its warm mirror. When only the mirror's own
 * fetch fails, the fetch is forwarded to the upstream: never an error because of the cache. The upstream
 * sits behind a switch ({@link Switch}) that can fail every request, or only the mirror's.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class FetchCacheGateIntegrationTests {

	static final String UPSTREAM_TOKEN = "ghs_cache-gate-token";

	static CacheFixture fixture;

	static GitHttpBackendServer upstream;

	static Switch gate;

	static LoopbackTomcat gateServer;

	@LocalServerPort
	int port;

	String repo;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		fixture = new CacheFixture("warden-cache-gate-it");
		upstream = GitHttpBackendServer.start(fixture.repositories.root(), UPSTREAM_TOKEN);
		gate = new Switch(upstream.baseUrl());
		gateServer = LoopbackTomcat.start("gate", (context) -> {
			Tomcat.addServlet(context, "gate", gate);
			context.addServletMappingDecoded("/*", "gate");
		});
		registry.add("warden.upstream.url", () -> gateServer.baseUrl().toString());
		registry.add("warden.upstream.token", () -> UPSTREAM_TOKEN);
		registry.add("warden.auth.hmac-secret", () -> Tokens.SECRET);
		registry.add("warden.audit.file", fixture.auditFile::toString);
	}

	@AfterAll
	static void stop() {
		gateServer.close();
		upstream.close();
	}

	@BeforeEach
	void createRepository(TestInfo info) {
		this.repo = "acme/" + info.getTestMethod().orElseThrow().getName().toLowerCase();
		fixture.createUpstream(this.repo);
	}

	@AfterEach
	void reopen() {
		gate.mode = Mode.UP;
	}

	@Test
	void withTheMirrorColdAndTheUpstreamFailingTheCloneFailsWithTheUpstreamsError() {
		gate.mode = Mode.DOWN;
		GitCli.Result clone = cloneResult(0);
		assertThat(clone.exitCode()).isNotZero();
		assertThat(clone.stderr()).contains("remote: git-warden: upstream").contains("503");
		assertThat(fixture.fetchEvents(this.repo)).isEmpty();
	}

	@Test
	void withTheMirrorWarmAndTheUpstreamFailingTheCloneFailsToo() {
		Path clone = fixture.clone(this.port, this.repo, 0);
		gate.mode = Mode.DOWN;

		for (int version : new int[] { 0, 2 }) {
			GitCli.Result again = cloneResult(version);
			assertThat(again.exitCode()).as("v%d clone", version).isNotZero();
			assertThat(again.stderr()).contains("remote: git-warden: upstream").contains("503");
			GitCli.Result fetch = fixture.git.run(clone, "-c", "protocol.version=" + version, "fetch", "origin");
			assertThat(fetch.exitCode()).as("v%d fetch", version).isNotZero();
		}
		assertThat(Eventually.await(() -> fixture.cacheResults(this.repo), (results) -> !results.isEmpty()))
			.as("only the first clone fetched").containsExactly("miss");
	}

	@Test
	void sessionsThatMayNotReadTheRepositoryGetNothingFromItsWarmMirror() throws Exception {
		fixture.clone(this.port, this.repo, 0);
		String main = fixture.repositories.resolve(this.repo, "refs/heads/main");
		String expired = Tokens.forRepo(this.repo)
			.issuedAt(Instant.now().minus(Duration.ofHours(2)))
			.ttl(Duration.ofHours(1))
			.sign();
		String pushOnly = Tokens.forRepo(this.repo).claim("scope", "push").sign();
		String otherRepository = Tokens.forRepo(this.repo + "-other").sign();

		for (String token : List.of(expired, pushOnly, otherRepository)) {
			HttpResponse<byte[]> advertisement = send(HttpRequest.newBuilder(
					URI.create(base() + "/info/refs?service=git-upload-pack")).header("Authorization", basic(token)));
			HttpResponse<byte[]> fetch = send(HttpRequest.newBuilder(URI.create(base() + "/git-upload-pack"))
				.header("Authorization", basic(token))
				.header("Content-Type", "application/x-git-upload-pack-request")
				.POST(HttpRequest.BodyPublishers.ofByteArray(v0Fetch(main))));
			assertThat(advertisement.statusCode()).isIn(401, 403);
			assertThat(fetch.statusCode()).isEqualTo(advertisement.statusCode());
			assertThat(new String(fetch.body(), StandardCharsets.ISO_8859_1)).doesNotContain("PACK");
		}
		assertThat(fixture.cacheResults(this.repo)).containsExactly("miss");
	}

	@Test
	void whenTheMirrorCannotFetchTheCloneIsForwardedToTheUpstream() {
		gate.mode = Mode.MIRROR_FAILS;
		Path clone = fixture.clone(this.port, this.repo, 2);

		fixture.fsck(clone);
		assertThat(fixture.tips(clone)).isEqualTo(fixture.tips(fixture.directClone(this.repo)));
		List<tools.jackson.databind.JsonNode> events = Eventually.await(() -> fixture.cacheEvents(this.repo),
				(found) -> !found.isEmpty());
		assertThat(events).hasSize(1);
		assertThat(events.get(0).path("cache").asString()).isEqualTo("bypass");
		assertThat(events.get(0).path("cacheBypass").asString()).isEqualTo("fetch-failed");
		assertThat(events.get(0).path("upstreamStatus").asInt()).isEqualTo(200);

		// once the mirror can fetch again, the next clone is served from it
		gate.mode = Mode.UP;
		fixture.clone(this.port, this.repo, 2);
		assertThat(Eventually.await(() -> fixture.cacheResults(this.repo), (results) -> results.size() >= 2))
			.containsExactly("bypass", "miss");
	}

	private GitCli.Result cloneResult(int version) {
		Path target = fixture.workTree("failing").resolve("repo");
		return fixture.git.run(fixture.scratch, "-c", "protocol.version=" + version, "clone",
				CacheFixture.url(this.port, CacheFixture.token(this.repo), this.repo), target.toString());
	}

	private String base() {
		return "http://127.0.0.1:" + this.port + "/" + this.repo + ".git";
	}

	private static String basic(String token) {
		return "Basic " + Base64.getEncoder().encodeToString(("x:" + token).getBytes(StandardCharsets.UTF_8));
	}

	private static HttpResponse<byte[]> send(HttpRequest.Builder request) throws Exception {
		return HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.build()
			.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
	}

	private static byte[] v0Fetch(String want) throws IOException {
		java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
		PacketLineOut out = new PacketLineOut(body);
		out.writeString("want " + want + " side-band-64k ofs-delta\n");
		out.end();
		out.writeString("done\n");
		return body.toByteArray();
	}

	enum Mode {

		/** Every request passes. */
		UP,

		/** Every request is answered {@code 503}. */
		DOWN,

		/** The mirror's requests (JGit's user agent) are answered {@code 503}; git's pass. */
		MIRROR_FAILS

	}

	/** A reverse proxy in front of the upstream that can fail requests. */
	static final class Switch extends HttpServlet {

		private static final long serialVersionUID = 1L;

		private static final List<String> REQUEST_HEADERS = List.of("Authorization", "Content-Type",
				"Content-Encoding", "Git-Protocol", "Accept");

		private final URI upstream;

		private final transient HttpClient http = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.build();

		volatile Mode mode = Mode.UP;

		Switch(URI upstream) {
			this.upstream = upstream;
		}

		@Override
		protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
			String agent = request.getHeader("User-Agent");
			if (this.mode == Mode.DOWN
					|| (this.mode == Mode.MIRROR_FAILS && agent != null && agent.startsWith("JGit/"))) {
				request.getInputStream().transferTo(OutputStream.nullOutputStream());
				response.sendError(503);
				return;
			}
			String query = (request.getQueryString() != null) ? "?" + request.getQueryString() : "";
			HttpRequest.Builder forward = HttpRequest
				.newBuilder(URI.create(this.upstream.toString().replaceAll("/$", "") + request.getRequestURI() + query));
			for (String name : REQUEST_HEADERS) {
				String value = request.getHeader(name);
				if (value != null) {
					forward.header(name, value);
				}
			}
			if ("POST".equals(request.getMethod())) {
				byte[] body = request.getInputStream().readAllBytes();
				forward.POST(HttpRequest.BodyPublishers.ofByteArray(body));
			}
			HttpResponse<InputStream> answer;
			try {
				answer = this.http.send(forward.build(), HttpResponse.BodyHandlers.ofInputStream());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IOException(ex);
			}
			response.setStatus(answer.statusCode());
			answer.headers().firstValue("Content-Type").ifPresent(response::setContentType);
			answer.headers().firstValue("WWW-Authenticate").ifPresent((value) -> response.setHeader("WWW-Authenticate", value));
			try (InputStream in = answer.body()) {
				in.transferTo(response.getOutputStream());
			}
		}

	}

}
