package io.gitwarden.metrics;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.gitwarden.proxy.GitExchange;
import io.gitwarden.proxy.GitExchangeListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.stereotype.Component;

/**
 * Meters of git traffic, from the same {@link GitExchange} the audit log is written from (Prometheus
 * names in brackets):
 * <ul>
 * <li>{@code warden.git.requests} [{@code warden_git_requests_total}] by {@code service},
 * {@code operation} and {@code decision};</li>
 * <li>{@code warden.git.refusals} [{@code warden_git_refusals_total}] by {@code reason} (the catalogue
 * code), also for relay failures of allowed requests;</li>
 * <li>{@code warden.upstream.requests} [{@code warden_upstream_requests_seconds}] a timer of upstream
 * calls by {@code service}, {@code operation} and upstream {@code status};</li>
 * <li>{@code warden.git.bytes} [{@code warden_git_bytes_total}] body bytes relayed, by
 * {@code direction} ({@code in} from clients, {@code out} to clients);</li>
 * <li>{@code warden.git.active} [{@code warden_git_active}] git requests being served now.</li>
 * </ul>
 * Tags take values from small fixed sets only (never a repository or session), so the number of series
 * stays bounded.
 */
@Component
class GitMetrics implements GitExchangeListener {

	private static final String NONE = "none";

	private final MeterRegistry registry;

	private final AtomicInteger active = new AtomicInteger();

	private final Counter bytesIn;

	private final Counter bytesOut;

	GitMetrics(MeterRegistry registry) {
		this.registry = registry;
		Gauge.builder("warden.git.active", this.active, AtomicInteger::get)
			.description("Git requests being served")
			.register(registry);
		this.bytesIn = Counter.builder("warden.git.bytes")
			.baseUnit("bytes")
			.tag("direction", "in")
			.description("Request body bytes read from git clients")
			.register(registry);
		this.bytesOut = Counter.builder("warden.git.bytes")
			.baseUnit("bytes")
			.tag("direction", "out")
			.description("Response body bytes written to git clients")
			.register(registry);
	}

	@Override
	public void exchangeStarted() {
		this.active.incrementAndGet();
	}

	@Override
	public void exchangeCompleted(GitExchange exchange) {
		this.active.decrementAndGet();
		String service = (exchange.route() != null) ? exchange.route().service().serviceName() : NONE;
		String operation = (exchange.operation() != null) ? exchange.operation() : NONE;
		Counter.builder("warden.git.requests")
			.description("Git requests by outcome")
			.tag("service", service)
			.tag("operation", operation)
			.tag("decision", exchange.decision().name().toLowerCase(Locale.ROOT))
			.register(this.registry)
			.increment();
		if (exchange.reason() != null) {
			Counter.builder("warden.git.refusals")
				.description("Refusals and relay failures by reason code")
				.tag("reason", exchange.reason().code())
				.register(this.registry)
				.increment();
		}
		if (exchange.upstreamStatus() > 0) {
			Timer.builder("warden.upstream.requests")
				.description("Upstream calls, from sending the request to the end of the response")
				.tag("service", service)
				.tag("operation", operation)
				.tag("status", Integer.toString(exchange.upstreamStatus()))
				.register(this.registry)
				.record(exchange.upstreamNanos(), TimeUnit.NANOSECONDS);
		}
		this.bytesIn.increment(exchange.bytesIn());
		this.bytesOut.increment(exchange.bytesOut());
	}

}
