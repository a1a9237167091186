package io.gitwarden.upstream;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.gitwarden.policy.Permission;
import io.gitwarden.refusal.Refusal;
import io.gitwarden.protocol.RepositoryId;

/**
 * Upstream credentials from a GitHub App: a short-lived installation token per repository and access,
 * narrowed to that one repository and {@code contents: read} (fetch) or {@code contents: write} (push),
 * so even a bug in git-warden cannot reach another repository, or edit workflows. GitHub API calls get
 * tokens narrowed the same way to the permissions each call needs ({@link TokenPermissions}).
 *
 * <p>Tokens are cached per (installation, repository, permission set) until {@value #REFRESH_MARGIN_MINUTES}
 * minutes before they expire, so none is used close to its end; installation lookups are cached for an
 * hour. Concurrent requests for the same key share one API call (a hundred parallel clones mint one
 * token), and nothing is cached when a call fails: the next request tries again.
 */
final class GitHubAppCredentials implements UpstreamCredentials {

	static final long REFRESH_MARGIN_MINUTES = 5;

	private static final Duration REFRESH_MARGIN = Duration.ofMinutes(REFRESH_MARGIN_MINUTES);

	private static final Duration INSTALLATION_CACHE = Duration.ofHours(1);

	private final GitHubAppClient client;

	private final Long installationId;

	private final AsyncCache<TokenKey, Outcome<InstallationToken>> tokens;

	private final AsyncCache<String, Outcome<Long>> installations;

	/**
	 * @param client the GitHub REST client
	 * @param installationId the configured installation, or {@code null} to look it up per repository
	 * @param clock time for expiry (and the caches' ticker)
	 */
	GitHubAppCredentials(GitHubAppClient client, Long installationId, Clock clock) {
		this.client = client;
		this.installationId = installationId;
		Ticker ticker = () -> TimeUnit.MILLISECONDS.toNanos(clock.millis());
		this.tokens = Caffeine.newBuilder()
			.ticker(ticker)
			.maximumSize(10_000)
			.expireAfter(Expiry.<TokenKey, Outcome<InstallationToken>>creating((key, outcome) -> {
				if (outcome.value() == null) {
					return Duration.ZERO;
				}
				Duration left = Duration.between(clock.instant(), outcome.value().expiresAt().minus(REFRESH_MARGIN));
				return left.isNegative() ? Duration.ZERO : left;
			}))
			.buildAsync();
		this.installations = Caffeine.newBuilder()
			.ticker(ticker)
			.maximumSize(10_000)
			.expireAfterWrite(INSTALLATION_CACHE)
			.buildAsync();
	}

	@Override
	public String authorization(RepositoryId repository, Permission access) {
		return StaticTokenCredentials.basic(token(repository, TokenPermissions.forGit(access)).token());
	}

	/** {@code Bearer <token>} with a token narrowed to the repository and exactly {@code permissions}. */
	@Override
	public String apiAuthorization(RepositoryId repository, TokenPermissions permissions) {
		return "Bearer " + token(repository, permissions).token();
	}

	private InstallationToken token(RepositoryId repository, TokenPermissions permissions) {
		long installation = installationFor(repository);
		TokenKey key = new TokenKey(installation, repository.canonical(), permissions);
		try {
			return shared(this.tokens, key, () -> this.client.mint(installation, repository, permissions));
		}
		catch (GitHubAppClient.InstallationNotFound ex) {
			// Uninstalled or reinstalled: forget the lookup so the next request finds the new installation.
			this.installations.synchronous().invalidate(repository.canonical());
			throw ex.refusal();
		}
	}

	private long installationFor(RepositoryId repository) {
		if (this.installationId != null) {
			return this.installationId;
		}
		return shared(this.installations, repository.canonical(), () -> this.client.installationId(repository));
	}

	/**
	 * The cached value, or the result of {@code loader} run once in this thread while every concurrent
	 * caller for the same key waits for it. A failed load is removed before the waiters see it, so it is
	 * never cached; it is passed as a value rather than a failed future, which Caffeine would log again.
	 */
	private static <K, V> V shared(AsyncCache<K, Outcome<V>> cache, K key, Supplier<V> loader) {
		CompletableFuture<Outcome<V>> mine = new CompletableFuture<>();
		AtomicBoolean leader = new AtomicBoolean();
		CompletableFuture<Outcome<V>> future = cache.get(key, (k, executor) -> {
			leader.set(true);
			return mine;
		});
		if (leader.get()) {
			Outcome<V> outcome;
			try {
				outcome = new Outcome<>(loader.get(), null);
			}
			catch (RuntimeException ex) {
				cache.asMap().remove(key, mine);
				outcome = new Outcome<>(null, ex);
			}
			mine.complete(outcome);
		}
		Outcome<V> outcome = future.join();
		if (outcome.failure() != null) {
			throw outcome.failure();
		}
		return outcome.value();
	}

	@Override
	public String toString() {
		return "GitHubAppCredentials[installation=" + ((this.installationId != null) ? this.installationId : "per repository")
				+ "]";
	}

	/** A load's result: a value, or the failure every waiter rethrows. */
	private record Outcome<V>(V value, RuntimeException failure) {

	}

	private record TokenKey(long installation, String repository, TokenPermissions permissions) {

	}

}
