package io.gitwarden.cache;

import java.util.concurrent.TimeUnit;

import io.gitwarden.exchange.ExchangeDetail;
import tools.jackson.databind.node.ObjectNode;

/**
 * The fetch cache's part of a fetch's audit event: {@code cache} ({@code hit}, {@code miss},
 * {@code bypass}), {@code cacheBypass} (why, for a bypass), and {@code cacheWaitMs} (time spent making
 * the mirror able to serve, for a hit or a miss; for a miss it includes the upstream fetch).
 *
 * @param result what the cache did
 * @param bypass why the fetch went to the upstream, or {@code null}
 * @param waitNanos time spent bringing the mirror up before serving (0 for a bypass)
 */
public record CacheDetail(CacheResult result, String bypass, long waitNanos) implements ExchangeDetail {

	public static CacheDetail hit(long waitNanos) {
		return new CacheDetail(CacheResult.HIT, null, waitNanos);
	}

	public static CacheDetail miss(long waitNanos) {
		return new CacheDetail(CacheResult.MISS, null, waitNanos);
	}

	public static CacheDetail bypass(String why) {
		return new CacheDetail(CacheResult.BYPASS, why, 0);
	}

	@Override
	public void writeTo(ObjectNode event) {
		event.put("cache", this.result.label());
		if (this.bypass != null) {
			event.put("cacheBypass", this.bypass);
		}
		if (this.result != CacheResult.BYPASS) {
			event.put("cacheWaitMs", TimeUnit.NANOSECONDS.toMillis(this.waitNanos));
		}
	}

}
