package io.gitwarden.upstream;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import io.gitwarden.config.MutableClock;
import io.gitwarden.config.TestKeys;
import io.gitwarden.policy.Permission;
import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;
import io.gitwarden.web.RefusalStatus;
import io.gitwarden.protocol.RepositoryId;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.Jwts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class GitHubAppCredentialsTests {

	private static final KeyPair APP_KEY = TestKeys.rsa();

	private static final RepositoryId REPO = RepositoryId.parse("Acme/Widget");

	private static final String LOOKUP = "/repos/Acme/Widget/installation";

	private static final String MINT = "/app/installations/42/access_tokens";

	private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));

	private WireMockServer github;

	@BeforeEach
	void startGitHub() {
		this.github = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
		this.github.start();
		this.github.stubFor(get(LOOKUP).willReturn(json(200, "{\"id\":42,\"app_id\":12345}")));
	}

	@AfterEach
	void stopGitHub() {
		this.github.stop();
	}

	@Test
	void mintsATokenNarrowedToTheRepositoryAndContentsWriteForAPush() {
		stubMint("ghs_write-token", Duration.ofHours(1));
		String authorization = credentials(null, Duration.ofSeconds(5)).authorization(REPO, Permission.PUSH);
		assertThat(authorization).isEqualTo(basic("ghs_write-token"));
		this.github.verify(1, getRequestedFor(urlEqualTo(LOOKUP)));
		this.github.verify(1, postRequestedFor(urlEqualTo(MINT))
			.withHeader("Accept", equalTo("application/vnd.github+json"))
			.withHeader("X-GitHub-Api-Version", equalTo("2022-11-28"))
			.withHeader("User-Agent", matching(".+"))
			.withHeader("Authorization", matching("Bearer [A-Za-z0-9_.-]+"))
			.withRequestBody(equalToJson("{\"repositories\":[\"Widget\"],\"permissions\":{\"contents\":\"write\"}}")));
	}

	@Test
	void fetchGetsItsOwnReadOnlyToken() {
		stubMint("ghs_read-token", Duration.ofHours(1));
		assertThat(credentials(null, Duration.ofSeconds(5)).authorization(REPO, Permission.FETCH))
			.isEqualTo(basic("ghs_read-token"));
		this.github.verify(1, postRequestedFor(urlEqualTo(MINT))
			.withRequestBody(equalToJson("{\"repositories\":[\"Widget\"],\"permissions\":{\"contents\":\"read\"}}")));
	}

	@Test
	void gitHubApiCallsGetTokensNarrowedToTheirPermissionsCachedPerSet() {
		stubMint("ghs_api-token", Duration.ofHours(1));
		UpstreamCredentials credentials = credentials(null, Duration.ofSeconds(5));
		TokenPermissions pulls = TokenPermissions.of("pull_requests", "write", "metadata", "read");
		TokenPermissions actions = TokenPermissions.of("metadata", "read", "actions", "read");
		assertThat(credentials.apiAuthorization(REPO, pulls)).isEqualTo("Bearer ghs_api-token");
		assertThat(credentials.apiAuthorization(REPO, TokenPermissions.of("metadata", "read", "pull_requests", "write")))
			.isEqualTo("Bearer ghs_api-token");
		credentials.apiAuthorization(REPO, actions);
		credentials.authorization(REPO, Permission.FETCH);
		this.github.verify(1, postRequestedFor(urlEqualTo(MINT)).withRequestBody(equalToJson(
				"{\"repositories\":[\"Widget\"],\"permissions\":{\"pull_requests\":\"write\",\"metadata\":\"read\"}}")));
		this.github.verify(1, postRequestedFor(urlEqualTo(MINT)).withRequestBody(equalToJson(
				"{\"repositories\":[\"Widget\"],\"permissions\":{\"actions\":\"read\",\"metadata\":\"read\"}}")));
		this.github.verify(1, postRequestedFor(urlEqualTo(MINT))
			.withRequestBody(equalToJson("{\"repositories\":[\"Widget\"],\"permissions\":{\"contents\":\"read\"}}")));
		this.github.verify(3, postRequestedFor(urlEqualTo(MINT)));
	}

	@Test
	void appJwtIsSignedWithTheAppKeyBackdatedAndShortLived() {
		stubMint("ghs_x", Duration.ofHours(1));
		credentials(null, Duration.ofSeconds(5)).authorization(REPO, Permission.PUSH);
		String jwt = this.github.findAll(postRequestedFor(urlEqualTo(MINT)))
			.get(0)
			.getHeader("Authorization")
			.substring("Bearer ".length());
		var jws = Jwts.parser()
			.verifyWith(APP_KEY.getPublic())
			.clock(() -> java.util.Date.from(this.clock.instant()))
			.build()
			.parseSignedClaims(jwt);
		assertThat(jws.getHeader().getAlgorithm()).isEqualTo("RS256");
		Claims claims = jws.getPayload();
		assertThat(claims.getIssuer()).isEqualTo("12345");
		assertThat(claims.getIssuedAt().toInstant()).isEqualTo(this.clock.instant().minusSeconds(60));
		assertThat(Duration.between(claims.getIssuedAt().toInstant(), claims.getExpiration().toInstant()))
			.isLessThanOrEqualTo(Duration.ofMinutes(10));
	}

	@Test
	void tokenIsReusedUntilFiveMinutesBeforeItExpires() {
		stubMint("ghs_cached", Duration.ofHours(1));
		UpstreamCredentials credentials = credentials(null, Duration.ofSeconds(5));
		credentials.authorization(REPO, Permission.PUSH);
		this.clock.advance(Duration.ofMinutes(54));
		assertThat(credentials.authorization(REPO, Permission.PUSH)).isEqualTo(basic("ghs_cached"));
		this.github.verify(1, postRequestedFor(urlEqualTo(MINT)));
		this.clock.advance(Duration.ofMinutes(2));
		credentials.authorization(REPO, Permission.PUSH);
		this.github.verify(2, postRequestedFor(urlEqualTo(MINT)));
		this.github.verify(1, getRequestedFor(urlEqualTo(LOOKUP)));
	}

	@Test
	void hundredConcurrentRequestsShareOneLookupAndOneMint() throws Exception {
		this.github.stubFor(get(LOOKUP).willReturn(json(200, "{\"id\":42}").withFixedDelay(200)));
		this.github.stubFor(post(MINT).willReturn(tokenResponse("ghs_shared", Duration.ofHours(1)).withFixedDelay(500)));
		UpstreamCredentials credentials = credentials(null, Duration.ofSeconds(10));
		ExecutorService pool = Executors.newFixedThreadPool(100);
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<String>> results = new ArrayList<>();
			for (int i = 0; i < 100; i++) {
				Callable<String> call = () -> {
					start.await();
					return credentials.authorization(REPO, Permission.FETCH);
				};
				results.add(pool.submit(call));
			}
			start.countDown();
			for (Future<String> result : results) {
				assertThat(result.get()).isEqualTo(basic("ghs_shared"));
			}
		}
		finally {
			pool.shutdownNow();
		}
		this.github.verify(1, getRequestedFor(urlEqualTo(LOOKUP)));
		this.github.verify(1, postRequestedFor(urlEqualTo(MINT)));
	}

	@Test
	void configuredInstallationIsUsedWithoutLookup() {
		stubMint("ghs_configured", Duration.ofHours(1));
		assertThat(credentials(42L, Duration.ofSeconds(5)).authorization(REPO, Permission.PUSH))
			.isEqualTo(basic("ghs_configured"));
		this.github.verify(0, getRequestedFor(urlEqualTo(LOOKUP)));
	}

	@ParameterizedTest
	@CsvSource({ "401, UPSTREAM_CREDENTIAL_UNAVAILABLE, 502, rejected the App JWT",
			"403, UPSTREAM_CREDENTIAL_UNAVAILABLE, 502, refused the App",
			"404, UPSTREAM_CREDENTIAL_UNAVAILABLE, 502, installation 42 not found",
			"422, UPSTREAM_CREDENTIAL_UNAVAILABLE, 502, would not narrow a token to Acme/Widget with contents:write",
			"500, UPSTREAM_CREDENTIAL_SERVICE_UNAVAILABLE, 503, answered HTTP 500",
			"502, UPSTREAM_CREDENTIAL_SERVICE_UNAVAILABLE, 503, answered HTTP 502" })
	void mintFailureIsAClearRefusalAndIsNotCached(int status, RefusalReason reason, int httpStatus, String text) {
		this.github.stubFor(post(MINT).willReturn(json(status, "{\"message\":\"nope\"}")));
		UpstreamCredentials credentials = credentials(null, Duration.ofSeconds(5));
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> credentials.authorization(REPO, Permission.PUSH))
			.satisfies((refusal) -> {
				assertThat(refusal.reason()).isEqualTo(reason);
				assertThat(RefusalStatus.of(refusal.reason())).isEqualTo(httpStatus);
				assertThat(refusal.getMessage()).startsWith("could not obtain an upstream credential").contains(text);
			});
		stubMint("ghs_after-failure", Duration.ofHours(1));
		assertThat(credentials.authorization(REPO, Permission.PUSH)).isEqualTo(basic("ghs_after-failure"));
		this.github.verify(2, postRequestedFor(urlEqualTo(MINT)));
	}

	@Test
	void appNotInstalledOnTheRepositoryIsNamed() {
		this.github.stubFor(get(LOOKUP).willReturn(json(404, "{\"message\":\"Not Found\"}")));
		assertThatExceptionOfType(Refusal.class)
			.isThrownBy(() -> credentials(null, Duration.ofSeconds(5)).authorization(REPO, Permission.FETCH))
			.withMessage("could not obtain an upstream credential: the GitHub App is not installed on Acme/Widget (HTTP 404)");
		this.github.verify(0, postRequestedFor(urlEqualTo(MINT)));
	}

	@Test
	void rateLimitHonoursRetryAfterWithoutCallingGitHubMeanwhile() {
		this.github.stubFor(post(MINT).willReturn(json(429, "{\"message\":\"slow down\"}").withHeader("Retry-After", "30")));
		UpstreamCredentials credentials = credentials(null, Duration.ofSeconds(5));
		assertRateLimited(credentials, 30);
		this.clock.advance(Duration.ofSeconds(20));
		assertRateLimited(credentials, 10);
		this.github.verify(1, postRequestedFor(urlEqualTo(MINT)));
		this.clock.advance(Duration.ofSeconds(11));
		stubMint("ghs_later", Duration.ofHours(1));
		assertThat(credentials.authorization(REPO, Permission.PUSH)).isEqualTo(basic("ghs_later"));
	}

	@Test
	void exhaustedPrimaryRateLimitIs403WithRemainingZero() {
		long reset = this.clock.instant().plusSeconds(120).getEpochSecond();
		this.github.stubFor(post(MINT).willReturn(json(403, "{\"message\":\"API rate limit exceeded\"}")
			.withHeader("x-ratelimit-remaining", "0")
			.withHeader("x-ratelimit-reset", Long.toString(reset))));
		assertRateLimited(credentials(null, Duration.ofSeconds(5)), 121);
	}

	@Test
	void slowGitHubTimesOutAsServiceUnavailable() {
		this.github.stubFor(post(MINT).willReturn(tokenResponse("ghs_too-late", Duration.ofHours(1)).withFixedDelay(3000)));
		assertThatExceptionOfType(Refusal.class)
			.isThrownBy(() -> credentials(42L, Duration.ofMillis(300)).authorization(REPO, Permission.PUSH))
			.satisfies((refusal) -> {
				assertThat(refusal.reason()).isEqualTo(RefusalReason.UPSTREAM_CREDENTIAL_SERVICE_UNAVAILABLE);
				assertThat(RefusalStatus.of(refusal.reason())).isEqualTo(503);
				assertThat(refusal.getMessage()).contains("did not answer within");
			});
	}

	@Test
	void unreachableGitHubIsServiceUnavailable() {
		UpstreamCredentials credentials = credentials(42L, Duration.ofSeconds(2));
		this.github.stop();
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> credentials.authorization(REPO, Permission.PUSH))
			.satisfies((refusal) -> assertThat(refusal.reason())
				.isEqualTo(RefusalReason.UPSTREAM_CREDENTIAL_SERVICE_UNAVAILABLE));
	}

	@Test
	void toStringNeverShowsSecrets() {
		stubMint("ghs_secret-value", Duration.ofHours(1));
		UpstreamCredentials credentials = credentials(null, Duration.ofSeconds(5));
		credentials.authorization(REPO, Permission.PUSH);
		assertThat(credentials.toString()).doesNotContain("ghs_");
		assertThat(new InstallationToken("ghs_secret-value", Instant.now()).toString()).doesNotContain("ghs_");
	}

	private void assertRateLimited(UpstreamCredentials credentials, long seconds) {
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> credentials.authorization(REPO, Permission.PUSH))
			.satisfies((refusal) -> {
				assertThat(refusal.reason()).isEqualTo(RefusalReason.UPSTREAM_CREDENTIAL_RATE_LIMITED);
				assertThat(RefusalStatus.of(refusal.reason())).isEqualTo(503);
				assertThat(refusal.getMessage()).contains("rate limit").endsWith("retry in " + seconds + " s");
			});
	}

	private UpstreamCredentials credentials(Long installationId, Duration timeout) {
		GitHubAppClient client = new GitHubAppClient(URI.create(this.github.baseUrl()), "12345", APP_KEY.getPrivate(),
				timeout, this.clock);
		return new GitHubAppCredentials(client, installationId, this.clock);
	}

	private void stubMint(String token, Duration lifetime) {
		this.github.stubFor(post(MINT).willReturn(tokenResponse(token, lifetime)));
	}

	private ResponseDefinitionBuilder tokenResponse(String token, Duration lifetime) {
		return json(201, "{\"token\":\"" + token + "\",\"expires_at\":\"" + this.clock.instant().plus(lifetime)
				+ "\",\"permissions\":{\"contents\":\"write\"},\"repository_selection\":\"selected\"}");
	}

	private static ResponseDefinitionBuilder json(int status, String body) {
		return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
	}

	static String basic(String token) {
		return "Basic " + Base64.getEncoder().encodeToString(("x-access-token:" + token).getBytes(StandardCharsets.UTF_8));
	}

}
