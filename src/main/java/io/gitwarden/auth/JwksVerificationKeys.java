package io.gitwarden.auth;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;
import io.jsonwebtoken.JwsHeader;
import io.jsonwebtoken.UnsupportedJwtException;
import io.jsonwebtoken.security.Jwk;
import io.jsonwebtoken.security.JwkSet;
import io.jsonwebtoken.security.Jwks;
import io.jsonwebtoken.security.PublicJwk;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Public keys published by the token issuer at {@code warden.auth.jwks-uri}. The token's {@code kid}
 * picks the key (a token without {@code kid} is accepted only while the set has exactly one key); the
 * key's type, and its {@code alg} when the JWK names one, must fit the token's {@code alg}.
 *
 * <p>The set is cached and refreshed in the background every {@code jwks-cache-duration}; an unknown
 * {@code kid} (the issuer rotated its key) triggers a refresh at once, but at most one fetch per
 * {@code jwks-refresh-interval}, so tokens with made-up key ids cannot turn git-warden into a load
 * generator against the issuer. When the endpoint is down the last good keys keep working; a failed
 * fetch is never cached.
 */
final class JwksVerificationKeys implements VerificationKeys, AutoCloseable {

	private static final Log logger = LogFactory.getLog(JwksVerificationKeys.class);

	private static final String CACHE_KEY = "jwks";

	/** Largest JWKS document read; real ones are a few KiB. */
	private static final int MAX_DOCUMENT_BYTES = 512 * 1024;

	private final URI uri;

	private final Duration timeout;

	private final Duration minRefreshInterval;

	private final Clock clock;

	private final HttpClient client;

	private final LoadingCache<String, Map<String, PublicJwk<?>>> cache;

	private final ExecutorService refresher;

	/** When the last fetch started (successful or not); {@code null} before the first one. */
	private final AtomicReference<Instant> lastFetch = new AtomicReference<>();

	JwksVerificationKeys(URI uri, Duration cacheDuration, Duration minRefreshInterval, Duration timeout, Clock clock) {
		this.uri = uri;
		this.timeout = timeout;
		this.minRefreshInterval = minRefreshInterval;
		this.clock = clock;
		this.client = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(timeout)
			.followRedirects(HttpClient.Redirect.NEVER)
			.build();
		this.refresher = Executors.newSingleThreadExecutor((runnable) -> {
			Thread thread = new Thread(runnable, "jwks-refresh");
			thread.setDaemon(true);
			return thread;
		});
		Executor executor = this.refresher;
		this.cache = Caffeine.newBuilder()
			.ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
			.executor(executor)
			.refreshAfterWrite(cacheDuration)
			.build((key) -> fetch());
	}

	@Override
	public Key keyFor(JwsHeader header) {
		String kid = header.getKeyId();
		PublicJwk<?> jwk = select(keys(), kid);
		if (jwk == null && mayFetchNow()) {
			jwk = select(refreshNow(), kid);
		}
		if (jwk == null) {
			throw new Refusal(RefusalReason.TOKEN_INVALID, "unknown signing key id");
		}
		Key key = jwk.toKey();
		String algorithm = header.getAlgorithm();
		if (!AsymmetricAlgorithms.fits(algorithm, key)
				|| (jwk.getAlgorithm() != null && !jwk.getAlgorithm().equals(algorithm))) {
			throw new UnsupportedJwtException("algorithm not accepted");
		}
		return key;
	}

	private Map<String, PublicJwk<?>> keys() {
		Map<String, PublicJwk<?>> keys = this.cache.getIfPresent(CACHE_KEY);
		if (keys != null) {
			return keys;
		}
		if (!mayFetchNow()) {
			// The endpoint failed moments ago and no keys were ever fetched: do not hammer it.
			throw new Refusal(RefusalReason.TOKEN_KEYS_UNAVAILABLE);
		}
		try {
			return this.cache.get(CACHE_KEY);
		}
		catch (CompletionException | JwksUnavailableException ex) {
			throw new Refusal(RefusalReason.TOKEN_KEYS_UNAVAILABLE);
		}
	}

	/** Fetches now (shared with any refresh already running); the last good keys when that fails. */
	private Map<String, PublicJwk<?>> refreshNow() {
		try {
			return this.cache.refresh(CACHE_KEY).get(this.timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException | TimeoutException ex) {
			// logged by fetch(); fall back to what is cached
		}
		Map<String, PublicJwk<?>> keys = this.cache.getIfPresent(CACHE_KEY);
		return (keys != null) ? keys : Map.of();
	}

	private boolean mayFetchNow() {
		Instant last = this.lastFetch.get();
		return last == null || !this.clock.instant().isBefore(last.plus(this.minRefreshInterval));
	}

	private static PublicJwk<?> select(Map<String, PublicJwk<?>> keys, String kid) {
		if (kid != null) {
			return keys.get(kid);
		}
		return (keys.size() == 1) ? keys.values().iterator().next() : null;
	}

	private Map<String, PublicJwk<?>> fetch() {
		this.lastFetch.set(this.clock.instant());
		HttpResponse<byte[]> response;
		try {
			response = this.client.send(HttpRequest.newBuilder(this.uri)
				.timeout(this.timeout)
				.header("Accept", "application/json, application/jwk-set+json")
				.GET()
				.build(), HttpResponse.BodyHandlers.ofByteArray());
		}
		catch (IOException ex) {
			throw failed("request failed (" + ex.getClass().getSimpleName() + ")");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw failed("interrupted");
		}
		if (response.statusCode() != 200) {
			throw failed("HTTP " + response.statusCode());
		}
		if (response.body().length > MAX_DOCUMENT_BYTES) {
			throw failed("document larger than " + MAX_DOCUMENT_BYTES + " bytes");
		}
		JwkSet set;
		try {
			set = Jwks.setParser().ignoreUnsupported(true).build().parse(new String(response.body(), StandardCharsets.UTF_8));
		}
		catch (RuntimeException ex) {
			throw failed("not a valid JWK set");
		}
		Map<String, PublicJwk<?>> keys = new HashMap<>();
		for (Jwk<?> jwk : set.getKeys()) {
			if (jwk instanceof PublicJwk<?> publicJwk && isSigningKey(publicJwk)) {
				keys.put((jwk.getId() != null) ? jwk.getId() : "", publicJwk);
			}
		}
		if (keys.isEmpty()) {
			throw failed("no usable signing key (RSA, EC P-256/P-384 or Ed25519 with use 'sig')");
		}
		logger.info("Fetched " + keys.size() + " session token verification key(s) from " + this.uri);
		return Map.copyOf(keys);
	}

	private static boolean isSigningKey(PublicJwk<?> jwk) {
		PublicKey key = jwk.toKey();
		return AsymmetricAlgorithms.isSupported(key)
				&& (jwk.getPublicKeyUse() == null || "sig".equals(jwk.getPublicKeyUse()));
	}

	private JwksUnavailableException failed(String why) {
		logger.warn("Fetching session token keys from " + this.uri + " failed: " + why
				+ (this.cache.getIfPresent(CACHE_KEY) != null ? "; the last good keys stay in use" : ""));
		return new JwksUnavailableException(why);
	}

	@Override
	public void close() {
		this.refresher.shutdownNow();
	}

	/** A fetch that produced no keys. */
	static final class JwksUnavailableException extends RuntimeException {

		private static final long serialVersionUID = 1L;

		JwksUnavailableException(String message) {
			super(message, null, false, false);
		}

	}

}
