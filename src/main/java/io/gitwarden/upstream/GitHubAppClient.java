package io.gitwarden.upstream;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Date;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;
import io.gitwarden.protocol.RepositoryId;
import io.jsonwebtoken.Jwts;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The two GitHub REST calls a GitHub App needs: find the installation for a repository, and mint an
 * installation token narrowed to one repository and {@code contents: read|write}. Each call is
 * authenticated with a fresh App JWT (RS256, {@code iat} 60 s in the past against clock drift,
 * {@code exp} 9 minutes ahead: GitHub accepts at most 10).
 *
 * <p>Every failure becomes a {@link Refusal} the git client can read: the App's own setup (401, 403,
 * 404, 422) is a 502 an operator must fix; GitHub being down or slow (5xx, timeouts) and rate limiting
 * are 503s. After a rate limit no call is made until GitHub's {@code Retry-After} (or
 * {@code x-ratelimit-reset}) has passed. Neither the App JWT nor a token is ever logged or put in a
 * message.
 */
final class GitHubAppClient {

	private static final Log logger = LogFactory.getLog(GitHubAppClient.class);

	static final String API_VERSION = "2022-11-28";

	static final Duration JWT_BACKDATE = Duration.ofSeconds(60);

	static final Duration JWT_LIFETIME = Duration.ofMinutes(9);

	/** Wait after a rate limit that names no time. */
	private static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(60);

	private static final int MAX_ERROR_DETAIL = 200;

	private final URI apiUrl;

	private final String appId;

	private final PrivateKey privateKey;

	private final Duration timeout;

	private final Clock clock;

	private final HttpClient client;

	private final AtomicReference<Instant> rateLimitedUntil = new AtomicReference<>(Instant.MIN);

	GitHubAppClient(URI apiUrl, String appId, PrivateKey privateKey, Duration timeout, Clock clock) {
		this.apiUrl = apiUrl;
		this.appId = appId;
		this.privateKey = privateKey;
		this.timeout = timeout;
		this.clock = clock;
		this.client = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(timeout)
			.followRedirects(HttpClient.Redirect.NEVER)
			.build();
	}

	/** {@code GET /repos/{owner}/{repo}/installation}: the id of the installation that covers it. */
	long installationId(RepositoryId repository) {
		String what = "installation lookup for " + repository;
		HttpResponse<String> response = send(what,
				request("/repos/" + repository.owner() + "/" + repository.name() + "/installation").GET());
		if (response.statusCode() == 404) {
			throw unavailable(what, "the GitHub App is not installed on " + repository + " (HTTP 404)", null);
		}
		JsonNode body = checkAndRead(what, response);
		JsonNode id = body.path("id");
		if (!id.canConvertToLong() || id.asLong() <= 0) {
			throw unavailable(what, "unexpected answer from the GitHub API", null);
		}
		return id.asLong();
	}

	/**
	 * {@code POST /app/installations/{id}/access_tokens}, narrowed to {@code repository} and
	 * {@code permissions} ({@code contents: write} for a push, {@code contents: read} for a fetch, what a
	 * GitHub API call needs for the API).
	 */
	InstallationToken mint(long installationId, RepositoryId repository, TokenPermissions permissions) {
		String what = permissions + " token for " + repository;
		// The name is [A-Za-z0-9._-] only (RepositoryId), so it needs no JSON escaping; nor do permissions.
		String body = "{\"repositories\":[\"" + repository.name() + "\"],\"permissions\":" + permissions.json() + "}";
		HttpResponse<String> response = send(what,
				request("/app/installations/" + installationId + "/access_tokens")
					.header("Content-Type", "application/json")
					.POST(HttpRequest.BodyPublishers.ofString(body)));
		if (response.statusCode() == 404) {
			throw new InstallationNotFound(unavailable(what, "installation " + installationId + " not found (HTTP 404)",
					null));
		}
		if (response.statusCode() == 422) {
			throw unavailable(what, "GitHub would not narrow a token to " + repository + " with " + permissions
					+ " (HTTP 422): the App lacks that permission or cannot see the repository", response);
		}
		JsonNode json = checkAndRead(what, response);
		JsonNode token = json.path("token");
		JsonNode expiresAt = json.path("expires_at");
		if (!token.isString() || token.stringValue().isEmpty() || !expiresAt.isString()) {
			throw unavailable(what, "unexpected answer from the GitHub API", null);
		}
		try {
			return new InstallationToken(token.stringValue(), Instant.parse(expiresAt.stringValue()));
		}
		catch (DateTimeParseException ex) {
			throw unavailable(what, "unexpected answer from the GitHub API", null);
		}
	}

	private HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(URI.create(this.apiUrl + path))
			.timeout(this.timeout)
			.header("Accept", "application/vnd.github+json")
			.header("X-GitHub-Api-Version", API_VERSION)
			.header("User-Agent", "git-warden")
			.header("Authorization", "Bearer " + appJwt());
	}

	/** A fresh App JWT (package-visible so tests can check its claims). */
	String appJwt() {
		Instant now = this.clock.instant();
		return Jwts.builder()
			.issuer(this.appId)
			.issuedAt(Date.from(now.minus(JWT_BACKDATE)))
			.expiration(Date.from(now.plus(JWT_LIFETIME)))
			.signWith(this.privateKey, Jwts.SIG.RS256)
			.compact();
	}

	private HttpResponse<String> send(String what, HttpRequest.Builder request) {
		Instant until = this.rateLimitedUntil.get();
		Instant now = this.clock.instant();
		if (now.isBefore(until)) {
			throw new Refusal(RefusalReason.UPSTREAM_CREDENTIAL_RATE_LIMITED, secondsUntil(until, now));
		}
		HttpResponse<String> response;
		try {
			response = this.client.send(request.build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (HttpTimeoutException ex) {
			throw serviceUnavailable(what, "the GitHub API did not answer within " + this.timeout);
		}
		catch (IOException ex) {
			throw serviceUnavailable(what, "the GitHub API could not be reached");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw serviceUnavailable(what, "interrupted");
		}
		checkRateLimit(what, response);
		return response;
	}

	private void checkRateLimit(String what, HttpResponse<String> response) {
		int status = response.statusCode();
		boolean exhausted = response.headers().firstValue("x-ratelimit-remaining").map("0"::equals).orElse(false);
		boolean retryAfter = response.headers().firstValue("retry-after").isPresent();
		if (status != 429 && !(status == 403 && (exhausted || retryAfter))) {
			return;
		}
		Instant now = this.clock.instant();
		Instant until = now.plus(retryAfter(response, now));
		this.rateLimitedUntil.accumulateAndGet(until, (a, b) -> a.isAfter(b) ? a : b);
		long seconds = secondsUntil(until, now);
		logger.warn("GitHub App " + what + " refused: GitHub API rate limit (HTTP " + status + "); no API call for "
				+ seconds + " s");
		throw new Refusal(RefusalReason.UPSTREAM_CREDENTIAL_RATE_LIMITED, seconds);
	}

	/** {@code Retry-After} seconds, else {@code x-ratelimit-reset} (epoch seconds), else a minute. */
	private static Duration retryAfter(HttpResponse<String> response, Instant now) {
		Optional<Long> seconds = number(response, "retry-after");
		if (seconds.isPresent()) {
			return Duration.ofSeconds(Math.max(1, Math.min(seconds.get(), 3600)));
		}
		Optional<Long> reset = number(response, "x-ratelimit-reset");
		if (reset.isPresent()) {
			Duration wait = Duration.between(now, Instant.ofEpochSecond(reset.get()));
			if (!wait.isNegative() && wait.compareTo(Duration.ofHours(1)) <= 0) {
				return wait.plusSeconds(1);
			}
		}
		return DEFAULT_RETRY_AFTER;
	}

	private static Optional<Long> number(HttpResponse<String> response, String header) {
		try {
			return response.headers().firstValue(header).map(String::trim).map(Long::parseLong);
		}
		catch (NumberFormatException ex) {
			return Optional.empty();
		}
	}

	private static long secondsUntil(Instant until, Instant now) {
		return Math.max(1, (Duration.between(now, until).toMillis() + 999) / 1000);
	}

	private JsonNode checkAndRead(String what, HttpResponse<String> response) {
		int status = response.statusCode();
		if (status == 401) {
			throw unavailable(what, "GitHub rejected the App JWT (HTTP 401): check warden.upstream.github-app.app-id "
					+ "and private-key", response);
		}
		if (status == 403) {
			throw unavailable(what, "GitHub refused the App (HTTP 403)", response);
		}
		if (status >= 500) {
			throw serviceUnavailable(what, "the GitHub API answered HTTP " + status);
		}
		if (status != 200 && status != 201) {
			throw unavailable(what, "the GitHub API answered HTTP " + status, response);
		}
		try {
			return JsonMapper.shared().readTree(response.body());
		}
		catch (JacksonException ex) {
			throw unavailable(what, "unexpected answer from the GitHub API", null);
		}
	}

	private static Refusal unavailable(String what, String why, HttpResponse<String> response) {
		logger.warn("GitHub App " + what + " failed: " + why + gitHubMessage(response));
		return new Refusal(RefusalReason.UPSTREAM_CREDENTIAL_UNAVAILABLE, why);
	}

	private static Refusal serviceUnavailable(String what, String why) {
		logger.warn("GitHub App " + what + " failed: " + why);
		return new Refusal(RefusalReason.UPSTREAM_CREDENTIAL_SERVICE_UNAVAILABLE, why);
	}

	/** GitHub's own {@code message}, for the operator's log only; printable and short. */
	private static String gitHubMessage(HttpResponse<String> response) {
		if (response == null) {
			return "";
		}
		try {
			JsonNode message = JsonMapper.shared().readTree(response.body()).path("message");
			if (!message.isString()) {
				return "";
			}
			String text = message.stringValue().replaceAll("[^\\x20-\\x7e]", "?");
			return " (GitHub says: "
					+ ((text.length() > MAX_ERROR_DETAIL) ? text.substring(0, MAX_ERROR_DETAIL) + "..." : text) + ")";
		}
		catch (JacksonException ex) {
			return "";
		}
	}

	/** The configured or cached installation is gone (app reinstalled): look it up again next time. */
	static final class InstallationNotFound extends RuntimeException {

		private static final long serialVersionUID = 1L;

		private final Refusal refusal;

		InstallationNotFound(Refusal refusal) {
			super(null, null, false, false);
			this.refusal = refusal;
		}

		Refusal refusal() {
			return this.refusal;
		}

	}

}
