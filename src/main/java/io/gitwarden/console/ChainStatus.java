package io.gitwarden.console;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

import io.gitwarden.audit.AuditChains;

/**
 * The audit chain status the console shows: verification runs in the background (it reads every event kept),
 * one at a time, when asked or when the page is opened and the last result is older than
 * {@value #MAX_AGE_MINUTES} minutes; the last result is kept with the time it ran.
 */
final class ChainStatus implements AutoCloseable {

	static final int MAX_AGE_MINUTES = 10;

	private final AuditChains chains;

	private final ExecutorService executor = Executors.newSingleThreadExecutor((task) -> {
		Thread thread = new Thread(task, "warden-console-chain");
		thread.setDaemon(true);
		return thread;
	});

	private final AtomicBoolean running = new AtomicBoolean();

	private volatile Result last;

	ChainStatus(AuditChains chains) {
		this.chains = chains;
	}

	/**
	 * A verification and when it ran.
	 *
	 * @param report what it found
	 * @param started when it started
	 * @param took how long it took
	 */
	record Result(AuditChains.Report report, Instant started, Duration took) {

	}

	/** The last result, or {@code null} before the first one. */
	Result last() {
		return this.last;
	}

	boolean isRunning() {
		return this.running.get();
	}

	/** Starts a verification unless one is running. */
	void refresh() {
		if (this.running.compareAndSet(false, true)) {
			this.executor.execute(() -> {
				Instant started = Instant.now();
				try {
					AuditChains.Report report = this.chains.verify();
					this.last = new Result(report, started, Duration.between(started, Instant.now()));
				}
				finally {
					this.running.set(false);
				}
			});
		}
	}

	/** Starts a verification when there is no result yet, or the last one is stale. */
	void refreshIfStale() {
		Result result = this.last;
		if (result == null || result.started().isBefore(Instant.now().minus(Duration.ofMinutes(MAX_AGE_MINUTES)))) {
			refresh();
		}
	}

	@Override
	public void close() {
		this.executor.shutdownNow();
	}

}
