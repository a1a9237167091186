package io.gitwarden.cache;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.gitwarden.mirror.AdvertisedRefs;
import io.gitwarden.mirror.Mirror;
import io.gitwarden.mirror.MirrorException;
import io.gitwarden.mirror.MirrorProperties;
import io.gitwarden.mirror.RepositoryMirrors;
import io.gitwarden.protocol.RepositoryId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Moves a mirror's refs to the ones the upstream just advertised ({@link Mirror#follow}: branches and
 * tags moved or deleted upstream), off the advertisement's path: the advertisement is relayed to the
 * client first, then the refresh runs on a small pool ({@code warden.mirror.max-concurrent-updates}
 * threads) while git reads the refs and prepares its fetch. A refresh never contacts the upstream: when
 * the advertisement names objects the mirror lacks, the fetch that wants them brings them (one upstream
 * fetch, shared), and an advertisement alone ({@code git ls-remote}, a {@code git fetch} with nothing new)
 * costs the upstream nothing more.
 *
 * <p>One refresh per repository is pending at a time: a newer advertisement replaces one not yet
 * started. A fetch that arrives while its repository's refresh is pending runs it itself (so it never
 * waits behind other repositories' work), or waits for it when it is already running: the refs the
 * session was shown are in the mirror before its fetch is served, including branches deleted upstream.
 */
@Component
public class MirrorRefresher implements DisposableBean {

	private static final Logger logger = LoggerFactory.getLogger(MirrorRefresher.class);

	/** Refreshes queued beyond the running ones before new ones are dropped (a fetch then updates itself). */
	private static final int MAX_QUEUED = 10_000;

	private final RepositoryMirrors mirrors;

	private final long maxWaitNanos;

	private final ThreadPoolExecutor executor;

	private final Map<String, Refresh> pending = new ConcurrentHashMap<>();

	private final AtomicInteger running = new AtomicInteger();

	public MirrorRefresher(RepositoryMirrors mirrors, MirrorProperties properties) {
		this.mirrors = mirrors;
		this.maxWaitNanos = properties.fetchTimeout().toNanos();
		int threads = properties.maxConcurrentUpdates();
		AtomicInteger count = new AtomicInteger();
		this.executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
				new LinkedBlockingQueue<>(MAX_QUEUED), (runnable) -> {
					Thread thread = new Thread(runnable, "mirror-refresh-" + count.incrementAndGet());
					thread.setDaemon(true);
					// started from a request thread: not the web application's class loader
					thread.setContextClassLoader(MirrorRefresher.class.getClassLoader());
					return thread;
				});
		this.executor.allowCoreThreadTimeOut(true);
	}

	/**
	 * Schedules bringing the mirror of {@code repository} to {@code advertised}, replacing a refresh of
	 * the same repository that has not started yet.
	 */
	public void submit(RepositoryId repository, AdvertisedRefs advertised) {
		String key = repository.canonical();
		Refresh refresh = new Refresh(repository, advertised);
		Refresh previous = this.pending.put(key, refresh);
		if (previous != null && previous.claim()) {
			// superseded before it ran: the newer advertisement brings the same news and more
			previous.done.complete(null);
		}
		try {
			this.executor.execute(() -> {
				if (refresh.claim()) {
					run(key, refresh);
				}
			});
		}
		catch (RejectedExecutionException ex) {
			// saturated or shutting down: a fetch of this repository runs it, or brings the mirror up itself
			logger.debug("Mirror refresh of {} not queued: {}", repository, ex.toString());
		}
	}

	/**
	 * Makes sure the latest refresh scheduled for {@code repository} is done: runs it on the calling
	 * thread when it has not started, waits for it (at most {@code warden.mirror.fetch-timeout}) when it
	 * runs. Returns at once when none is pending. A refresh reads and writes only the mirror: it takes
	 * milliseconds.
	 */
	public void await(RepositoryId repository) {
		String key = repository.canonical();
		Refresh refresh = this.pending.get(key);
		if (refresh == null) {
			return;
		}
		if (refresh.claim()) {
			run(key, refresh);
			return;
		}
		try {
			refresh.done.get(this.maxWaitNanos, TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException | TimeoutException ex) {
			// the fetch path brings the mirror up itself (joining a fetch in flight)
		}
	}

	/** True when no refresh is pending or running (for tests and benchmarks). */
	public boolean idle() {
		return this.pending.isEmpty() && this.running.get() == 0;
	}

	private void run(String key, Refresh refresh) {
		this.running.incrementAndGet();
		try (Mirror mirror = this.mirrors.open(refresh.repository)) {
			mirror.follow(refresh.advertised);
		}
		catch (MirrorException ex) {
			logger.debug("Mirror refresh of {} failed ({}): {}", refresh.repository, ex.reason().code(),
					ex.getMessage());
		}
		catch (RuntimeException ex) {
			logger.warn("Mirror refresh of {} failed", refresh.repository, ex);
		}
		finally {
			this.pending.remove(key, refresh);
			refresh.done.complete(null);
			this.running.decrementAndGet();
		}
	}

	@Override
	public void destroy() throws InterruptedException {
		this.executor.shutdownNow();
		this.executor.awaitTermination(30, TimeUnit.SECONDS);
	}

	/** One advertisement to apply; run once, by whoever claims it first. */
	private static final class Refresh {

		final RepositoryId repository;

		final AdvertisedRefs advertised;

		final AtomicBoolean claimed = new AtomicBoolean();

		final CompletableFuture<Void> done = new CompletableFuture<>();

		Refresh(RepositoryId repository, AdvertisedRefs advertised) {
			this.repository = repository;
			this.advertised = advertised;
		}

		boolean claim() {
			return this.claimed.compareAndSet(false, true);
		}

	}

}
