package io.gitwarden.audit;

import java.time.temporal.ChronoUnit;

import io.gitwarden.exchange.Exchange;
import io.gitwarden.exchange.ExchangeListener;
import tools.jackson.databind.node.ObjectNode;

/**
 * Records one audit event per git request, whatever its outcome, through the {@link AuditTrail}.
 *
 * <p>It is called exactly once per request by the {@code ExchangeRecorder}, after the response, so refused,
 * unauthenticated, failed and interrupted requests are recorded too. It never throws, not even on an
 * {@link Error}: when the event cannot be built from the exchange (a field that fails to map), a minimal
 * event with what is safe to take (time, request id, decision and {@code "recordingError"}) is recorded
 * instead, and the failure is counted and logged.
 */
final class AuditListener implements ExchangeListener {

	private final AuditEvents events;

	private final AuditTrail trail;

	AuditListener(AuditEvents events, AuditTrail trail) {
		this.events = events;
		this.trail = trail;
	}

	@Override
	public void exchangeCompleted(Exchange exchange) {
		try {
			this.trail.record(event(exchange));
		}
		catch (Throwable ex) {
			this.trail.failed("recording", null, ex);
		}
	}

	private ObjectNode event(Exchange exchange) {
		try {
			return this.events.toEvent(exchange);
		}
		catch (Throwable ex) {
			String requestId = safe(() -> exchange.requestId());
			this.trail.failed("event mapping", requestId, ex);
			return this.trail.minimal(safe(() -> exchange.time().truncatedTo(ChronoUnit.MILLIS).toString()),
					requestId, safe(() -> exchange.decision().word()), ex);
		}
	}

	private static String safe(java.util.function.Supplier<String> value) {
		try {
			return value.get();
		}
		catch (Throwable ex) {
			return null;
		}
	}

}
