package io.gitwarden.audit;

import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;

import io.gitwarden.auth.SessionToken;
import io.gitwarden.exchange.Exchange;
import io.gitwarden.exchange.ExchangeDetail;
import io.gitwarden.exchange.Outcome;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns an {@link Exchange} into an audit event: a flat JSON object whose fields are documented in
 * {@code docs/audit.md}, then the fields of each detail the handler added. Absent values are left out
 * rather than written as {@code null}. Client-supplied text arrives already cut and with control
 * characters escaped.
 */
final class AuditEvents {

	private final JsonMapper json;

	AuditEvents(JsonMapper json) {
		this.json = json;
	}

	ObjectNode toEvent(Exchange exchange) {
		ObjectNode event = this.json.createObjectNode();
		Outcome outcome = exchange.outcome();
		event.put("time", exchange.time().truncatedTo(ChronoUnit.MILLIS).toString());
		event.put("requestId", exchange.requestId());
		SessionToken session = outcome.session();
		if (session != null) {
			event.put("session", session.session());
		}
		if (outcome.repository() != null) {
			event.put("repo", outcome.repository().toString());
		}
		if (outcome.service() != null) {
			event.put("service", outcome.service());
		}
		if (outcome.operation() != null) {
			event.put("operation", outcome.operation());
		}
		putText(event, "method", exchange.method());
		putText(event, "path", exchange.path());
		event.put("decision", outcome.decision().word());
		if (outcome.reason() != null) {
			ObjectNode reason = event.putObject("reason");
			reason.put("code", outcome.reason().code());
			reason.put("category", outcome.reason().category().name().toLowerCase(java.util.Locale.ROOT));
			if (outcome.reasonMessage() != null) {
				reason.put("message", outcome.reasonMessage());
			}
		}
		for (ExchangeDetail detail : outcome.details()) {
			detail.writeTo(event);
		}
		event.put("status", exchange.status());
		if (outcome.upstreamStatus() > 0) {
			event.put("upstreamStatus", outcome.upstreamStatus());
			event.put("upstreamMs", TimeUnit.NANOSECONDS.toMillis(outcome.upstreamNanos()));
		}
		event.put("bytesIn", exchange.bytesIn());
		event.put("bytesOut", exchange.bytesOut());
		event.put("durationMs", TimeUnit.NANOSECONDS.toMillis(exchange.durationNanos()));
		putText(event, "client", exchange.client());
		putText(event, "userAgent", exchange.userAgent());
		if (outcome.tokenSha256() != null) {
			event.put("tokenSha256", outcome.tokenSha256());
		}
		return event;
	}

	private static void putText(ObjectNode event, String name, String value) {
		if (value != null) {
			event.put(name, value);
		}
	}

}
