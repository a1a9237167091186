package io.gitwarden.upstream;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.gitwarden.config.TestKeys;
import io.gitwarden.embedded.EmbeddedGitServer;
import io.gitwarden.testsupport.GitCli;
import io.gitwarden.testsupport.TestRepositories;
import io.gitwarden.testsupport.Tokens;
import io.jsonwebtoken.Jwts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end: the real git CLI clones and pushes through git-warden, which verifies a session token by
 * public key and relays to a git server that accepts only the installation token WireMock (as GitHub)
 * mints for git-warden's GitHub App.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class GitHubAppIntegrationTests {

	static final String MINTED_TOKEN = "ghs_minted-token-value";

	static final KeyPair SESSION_KEY = TestKeys.rsa();

	static final KeyPair APP_KEY = TestKeys.rsa();

	static Path scratch;

	static GitCli git;

	static TestRepositories repositories;

	static EmbeddedGitServer upstream;

	static WireMockServer github;

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		scratch = Files.createTempDirectory("warden-github-app-it");
		git = new GitCli(scratch.resolve("home"));
		repositories = new TestRepositories(git, Files.createDirectories(scratch.resolve("repos")), scratch);
		repositories.create("acme/widget", 2);
		repositories.create("acme/parallel", 1);
		upstream = EmbeddedGitServer.start(repositories.root(), MINTED_TOKEN, (receivePack) -> {
		});
		github = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
		github.start();
		github.stubFor(get("/repos/acme/widget/installation").willReturn(json(200, "{\"id\":42}")));
		github.stubFor(get("/repos/acme/parallel/installation").willReturn(json(200, "{\"id\":42}").withFixedDelay(200)));
		github.stubFor(get("/repos/acme/missing/installation").willReturn(json(404, "{\"message\":\"Not Found\"}")));
		github.stubFor(post("/app/installations/42/access_tokens").willReturn(json(201, "{\"token\":\"" + MINTED_TOKEN
				+ "\",\"expires_at\":\"" + Instant.now().plusSeconds(3600) + "\"}").withFixedDelay(500)));
		Path appKey = scratch.resolve("github-app.pem");
		Files.writeString(appKey, TestKeys.pkcs1Pem(APP_KEY));
		registry.add("warden.upstream.url", () -> upstream.baseUrl().toString());
		registry.add("warden.upstream.github-app.app-id", () -> "12345");
		registry.add("warden.upstream.github-app.private-key", () -> "file:" + appKey);
		registry.add("warden.upstream.github-app.api-url", github::baseUrl);
		registry.add("warden.auth.public-key", () -> TestKeys.publicPem(SESSION_KEY));
		registry.add("logging.level.io.gitwarden", () -> "DEBUG");
	}

	@AfterAll
	static void stop() {
		upstream.close();
		github.stop();
	}

	@Test
	void cloneAndPushWithAMintedInstallationTokenAndNoSecretInTheLogs(CapturedOutput output) throws IOException {
		String session = sessionToken("acme/widget");
		Path work = Files.createTempDirectory(scratch, "clone");
		git.run(work, "clone", "-q", remote(session, "acme/widget"), ".").assertSuccess();
		Files.writeString(work.resolve("agent.txt"), "agent change\n");
		git.run(work, "add", ".").assertSuccess();
		git.run(work, "commit", "-q", "-m", "agent change").assertSuccess();
		git.run(work, "push", "-q", "origin", "HEAD:agent/work").assertSuccess();

		String pushed = git.run(work, "rev-parse", "HEAD").assertSuccess().stdout().trim();
		assertThat(repositories.resolve("acme/widget", "refs/heads/agent/work")).isEqualTo(pushed);
		github.verify(1, postRequestedFor(urlEqualTo("/app/installations/42/access_tokens"))
			.withRequestBody(equalToJson("{\"repositories\":[\"widget\"],\"permissions\":{\"contents\":\"read\"}}")));
		github.verify(1, postRequestedFor(urlEqualTo("/app/installations/42/access_tokens"))
			.withRequestBody(equalToJson("{\"repositories\":[\"widget\"],\"permissions\":{\"contents\":\"write\"}}")));
		github.verify(1, getRequestedFor(urlEqualTo("/repos/acme/widget/installation")));

		List<String> secrets = new ArrayList<>(List.of(session, MINTED_TOKEN, StaticTokenCredentials.basic(MINTED_TOKEN)));
		for (LoggedRequest request : github.findAll(postRequestedFor(urlEqualTo("/app/installations/42/access_tokens")))) {
			secrets.add(request.getHeader("Authorization").substring("Bearer ".length()));
		}
		assertThat(secrets).hasSizeGreaterThanOrEqualTo(5);
		assertThat(output.getAll()).isNotEmpty();
		for (String secret : secrets) {
			assertThat(output.getAll()).doesNotContain(secret);
			// the signature part alone would be enough to leak a JWT
			assertThat(output.getAll()).doesNotContain(secret.substring(secret.lastIndexOf('.') + 1));
		}
	}

	@Test
	void hundredParallelClonesShareOneMintedToken() throws Exception {
		String session = sessionToken("acme/parallel");
		ExecutorService pool = Executors.newFixedThreadPool(100);
		try {
			List<CompletableFuture<GitCli.Result>> clones = new ArrayList<>();
			for (int i = 0; i < 100; i++) {
				Path work = Files.createTempDirectory(scratch, "parallel");
				clones.add(CompletableFuture.supplyAsync(
						() -> git.run(work, "clone", "-q", remote(session, "acme/parallel"), "."), pool));
			}
			for (CompletableFuture<GitCli.Result> clone : clones) {
				clone.get().assertSuccess();
			}
		}
		finally {
			pool.shutdownNow();
		}
		github.verify(1, getRequestedFor(urlEqualTo("/repos/acme/parallel/installation")));
		github.verify(1, postRequestedFor(urlEqualTo("/app/installations/42/access_tokens"))
			.withRequestBody(equalToJson("{\"repositories\":[\"parallel\"],\"permissions\":{\"contents\":\"read\"}}")));
	}

	@Test
	void gitShowsWhyNoUpstreamCredentialCouldBeHad() throws IOException {
		Path work = Files.createTempDirectory(scratch, "missing");
		GitCli.Result clone = git.run(work, "clone", "-q", remote(sessionToken("acme/missing"), "acme/missing"), ".");
		assertThat(clone.exitCode()).isEqualTo(128);
		assertThat(clone.stderr()).contains("remote: git-warden: could not obtain an upstream credential: "
				+ "the GitHub App is not installed on acme/missing (HTTP 404)")
			.contains("502");
	}

	private String remote(String session, String repository) {
		return "http://x:" + session + "@127.0.0.1:" + this.port + "/" + repository + ".git";
	}

	private static String sessionToken(String repository) {
		return Tokens.forRepo(repository).builder().signWith(SESSION_KEY.getPrivate(), Jwts.SIG.RS256).compact();
	}

	private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(int status, String body) {
		return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
	}

}
