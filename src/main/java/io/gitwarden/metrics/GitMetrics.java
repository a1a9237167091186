package io.gitwarden.metrics;

import java.util.concurrent.TimeUnit;

import io.gitwarden.exchange.Exchange;
import io.gitwarden.exchange.ExchangeListener;
import io.gitwarden.exchange.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.stereotype.Component;

/**
 * Meters of the traffic, from the same {@link Exchange} the audit trail is written from (Prometheus names
 * in brackets):
 * <ul>
 * <li>{@code warden.git.requests} [{@code warden_git_requests_total}] by {@code service},
 * {@code operation} and {@code decision};</li>
 * <li>{@code warden.git.refusals} [{@code warden_git_refusals_total}] by {@code reason} (the catalogue
 * code), also for failures of allowed requests;</li>
 * <li>{@code warden.upstream.requests} [{@code warden_upstream_requests_seconds}] a timer of upstream
 * calls by {@code service}, {@code operation} and upstream {@code status};</li>
 * <li>{@code warden.git.bytes} [{@code warden_git_bytes_total}] body bytes, by {@code direction}
 * ({@code in} from clients, {@code out} to clients);</li>
 * <li>{@code warden.requests.active} [{@code warden_requests_active}] requests being served now (from
 * the recorder).</li>
 * </ul>
 * Tags take values from small fixed sets only (never a repository or session), so the number of series
 * stays bounded.
 */
@Component
class GitMetrics implements ExchangeListener {

	private static final String NONE = "none";

	private final MeterRegistry registry;

	private final Counter bytesIn;

	private final Counter bytesOut;

	GitMetrics(MeterRegistry registry) {
		this.registry = registry;
		this.bytesIn = Counter.builder("warden.git.bytes")
			.baseUnit("bytes")
			.tag("direction", "in")
			.description("Request body bytes read from clients")
			.register(registry);
		this.bytesOut = Counter.builder("warden.git.bytes")
			.baseUnit("bytes")
			.tag("direction", "out")
			.description("Response body bytes written to clients")
			.register(registry);
	}

	@Override
	public void exchangeCompleted(Exchange exchange) {
		Outcome outcome = exchange.outcome();
		String service = (outcome.service() != null) ? outcome.service() : NONE;
		String operation = (outcome.operation() != null) ? outcome.operation() : NONE;
		Counter.builder("warden.git.requests")
			.description("Requests by outcome")
			.tag("service", service)
			.tag("operation", operation)
			.tag("decision", outcome.decision().word())
			.register(this.registry)
			.increment();
		if (outcome.reason() != null) {
			Counter.builder("warden.git.refusals")
				.description("Refusals and failures by reason code")
				.tag("reason", outcome.reason().code())
				.register(this.registry)
				.increment();
		}
		if (outcome.upstreamStatus() > 0) {
			Timer.builder("warden.upstream.requests")
				.description("Upstream calls, from sending the request to the end of the response")
				.tag("service", service)
				.tag("operation", operation)
				.tag("status", Integer.toString(outcome.upstreamStatus()))
				.register(this.registry)
				.record(outcome.upstreamNanos(), TimeUnit.NANOSECONDS);
		}
		this.bytesIn.increment(exchange.bytesIn());
		this.bytesOut.increment(exchange.bytesOut());
	}

}
