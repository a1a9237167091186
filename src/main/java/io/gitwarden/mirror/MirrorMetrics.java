package io.gitwarden.mirror;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Meters of the mirrors (Prometheus names in brackets). Tags take values from small fixed sets, never a
 * repository name:
 * <ul>
 * <li>{@code warden.mirror.updates} [{@code warden_mirror_updates_seconds}] time to make a mirror
 * current, by {@code result}: {@code hit}, {@code updated}, {@code created}, {@code failed};</li>
 * <li>{@code warden.mirror.fetches} [{@code warden_mirror_fetches_total}] upstream fetches run, by
 * {@code result} ({@code ok}, {@code failed}): one per single-flight, however many callers shared it;</li>
 * <li>{@code warden.mirror.adoptions} [{@code warden_mirror_adoptions_total}] pushes adopted, by
 * {@code result};</li>
 * <li>{@code warden.mirror.gc} [{@code warden_mirror_gc_seconds}] background repacks, by
 * {@code result};</li>
 * <li>{@code warden.mirror.evictions} [{@code warden_mirror_evictions_total}] mirrors deleted to stay
 * under {@code warden.mirror.max-size};</li>
 * <li>{@code warden.mirror.disk} [{@code warden_mirror_disk_bytes}] bytes the mirrors use;</li>
 * <li>{@code warden.mirror.repositories} [{@code warden_mirror_repositories}] mirrors known.</li>
 * </ul>
 */
final class MirrorMetrics {

	private final Timer hit;

	private final Timer updated;

	private final Timer created;

	private final Timer failed;

	private final Counter fetchOk;

	private final Counter fetchFailed;

	private final Counter adoptOk;

	private final Counter adoptFailed;

	private final Timer gcOk;

	private final Timer gcFailed;

	private final Counter evictions;

	<T> MirrorMetrics(MeterRegistry registry, T mirrors, ToDoubleFunction<T> diskBytes, ToDoubleFunction<T> count) {
		this.hit = updates(registry, "hit");
		this.updated = updates(registry, "updated");
		this.created = updates(registry, "created");
		this.failed = updates(registry, "failed");
		this.fetchOk = fetches(registry, "ok");
		this.fetchFailed = fetches(registry, "failed");
		this.adoptOk = adoptions(registry, "ok");
		this.adoptFailed = adoptions(registry, "failed");
		this.gcOk = gc(registry, "ok");
		this.gcFailed = gc(registry, "failed");
		this.evictions = Counter.builder("warden.mirror.evictions")
			.description("Mirrors deleted to stay under warden.mirror.max-size")
			.register(registry);
		Gauge.builder("warden.mirror.disk", mirrors, diskBytes)
			.baseUnit("bytes")
			.description("Disk space used by the repository mirrors")
			.register(registry);
		Gauge.builder("warden.mirror.repositories", mirrors, count)
			.description("Repository mirrors on disk")
			.register(registry);
	}

	private static Timer updates(MeterRegistry registry, String result) {
		return Timer.builder("warden.mirror.updates")
			.description("Time to make a mirror current (hit: no upstream contact)")
			.tag("result", result)
			.register(registry);
	}

	private static Counter fetches(MeterRegistry registry, String result) {
		return Counter.builder("warden.mirror.fetches")
			.description("Upstream fetches into mirrors (one per single-flight)")
			.tag("result", result)
			.register(registry);
	}

	private static Counter adoptions(MeterRegistry registry, String result) {
		return Counter.builder("warden.mirror.adoptions")
			.description("Accepted pushes added to mirrors without a fetch")
			.tag("result", result)
			.register(registry);
	}

	private static Timer gc(MeterRegistry registry, String result) {
		return Timer.builder("warden.mirror.gc")
			.description("Background repacks of mirrors")
			.tag("result", result)
			.register(registry);
	}

	MirrorUpdate update(MirrorUpdate.Outcome outcome, long startNanos) {
		long nanos = System.nanoTime() - startNanos;
		Timer timer = switch (outcome) {
			case HIT -> this.hit;
			case UPDATED -> this.updated;
			case CREATED -> this.created;
		};
		timer.record(nanos, TimeUnit.NANOSECONDS);
		return new MirrorUpdate(outcome, Duration.ofNanos(nanos));
	}

	void updateFailed(long startNanos) {
		this.failed.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
	}

	void fetch(boolean ok) {
		(ok ? this.fetchOk : this.fetchFailed).increment();
	}

	void adoption(boolean ok) {
		(ok ? this.adoptOk : this.adoptFailed).increment();
	}

	void gc(boolean ok, long startNanos) {
		(ok ? this.gcOk : this.gcFailed).record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
	}

	void eviction() {
		this.evictions.increment();
	}

}
