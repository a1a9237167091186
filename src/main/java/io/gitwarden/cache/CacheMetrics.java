package io.gitwarden.cache;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;

/**
 * Meters of the fetch cache (Prometheus names in brackets); tags from fixed sets only:
 * <ul>
 * <li>{@code warden.cache.requests} [{@code warden_cache_requests_total}] fetches by {@code result}:
 * {@code hit}, {@code miss}, {@code bypass} (protocol v2 {@code ls-refs} is part of the advertisement
 * and not counted);</li>
 * <li>{@code warden.cache.bytes} [{@code warden_cache_bytes_total}] fetch response bytes written to
 * clients, by {@code source}: {@code mirror} (served locally) or {@code upstream} (relayed);</li>
 * <li>{@code warden.cache.serves.active} [{@code warden_cache_serves_active}] fetches being served from
 * the mirrors now.</li>
 * </ul>
 * The time to bring a mirror up to date is {@code warden.mirror.updates} (by result).
 */
@Component
public class CacheMetrics {

	private final Map<CacheResult, Counter> requests = new EnumMap<>(CacheResult.class);

	private final Counter mirrorBytes;

	private final Counter upstreamBytes;

	public CacheMetrics(MeterRegistry registry) {
		for (CacheResult result : CacheResult.values()) {
			this.requests.put(result, Counter.builder("warden.cache.requests")
				.description("Fetches by what the fetch cache did with them")
				.tag("result", result.label())
				.register(registry));
		}
		this.mirrorBytes = bytes(registry, "mirror");
		this.upstreamBytes = bytes(registry, "upstream");
	}

	private static Counter bytes(MeterRegistry registry, String source) {
		return Counter.builder("warden.cache.bytes")
			.baseUnit("bytes")
			.description("Fetch response bytes written to clients, by where they came from")
			.tag("source", source)
			.register(registry);
	}

	/** Registers the gauge of fetches being served from the mirrors. */
	public <T> void activeServes(MeterRegistry registry, T state, ToDoubleFunction<T> active) {
		Gauge.builder("warden.cache.serves.active", state, active)
			.description("Fetches being served from the mirrors now")
			.register(registry);
	}

	public void request(CacheResult result) {
		this.requests.get(result).increment();
	}

	public void servedFromMirror(long bytes) {
		this.mirrorBytes.increment(bytes);
	}

	public void relayedFromUpstream(long bytes) {
		this.upstreamBytes.increment(bytes);
	}

}
