package io.gitwarden.audit;

import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.gitwarden.auth.SessionToken;
import io.gitwarden.policy.RefVerdict;
import io.gitwarden.proxy.GitExchange;
import io.gitwarden.proxy.GitExchange.RefResult;
import org.eclipse.jgit.transport.ReceiveCommand;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns a {@link GitExchange} into an audit event: a flat JSON object whose fields are documented in
 * {@code docs/audit.md}. Absent values are left out rather than written as {@code null}.
 */
final class AuditEvents {

	/** Longest client-supplied text kept (user agent): an event must stay one reasonable line. */
	private static final int MAX_TEXT = 512;

	private final JsonMapper json;

	AuditEvents(JsonMapper json) {
		this.json = json;
	}

	ObjectNode toEvent(GitExchange exchange) {
		ObjectNode event = this.json.createObjectNode();
		event.put("time", exchange.time().truncatedTo(ChronoUnit.MILLIS).toString());
		event.put("requestId", exchange.requestId());
		SessionToken session = exchange.session();
		if (session != null) {
			event.put("session", session.session());
		}
		if (exchange.route() != null) {
			event.put("repo", exchange.route().repository().toString());
			event.put("service", exchange.route().service().serviceName());
			event.put("operation", exchange.operation());
		}
		event.put("decision", exchange.decision().name().toLowerCase(Locale.ROOT));
		if (exchange.reason() != null) {
			ObjectNode reason = event.putObject("reason");
			reason.put("code", exchange.reason().code());
			reason.put("message", exchange.reasonMessage());
		}
		if (!exchange.refs().isEmpty() || !exchange.upstreamResults().isEmpty()) {
			updates(event.putArray("updates"), exchange);
		}
		event.put("status", exchange.status());
		if (exchange.upstreamStatus() > 0) {
			event.put("upstreamStatus", exchange.upstreamStatus());
			event.put("upstreamMs", TimeUnit.NANOSECONDS.toMillis(exchange.upstreamNanos()));
		}
		event.put("bytesIn", exchange.bytesIn());
		event.put("bytesOut", exchange.bytesOut());
		event.put("durationMs", TimeUnit.NANOSECONDS.toMillis(exchange.durationNanos()));
		putText(event, "client", exchange.client());
		putText(event, "userAgent", exchange.userAgent());
		if (exchange.tokenSha256() != null) {
			event.put("tokenSha256", exchange.tokenSha256());
		}
		return event;
	}

	/**
	 * One entry per command of the push: git-warden's verdict, then for a forwarded push the upstream's
	 * own report-status line for that ref ({@code unknown} when the upstream's report did not arrive).
	 */
	private static void updates(ArrayNode updates, GitExchange exchange) {
		List<RefResult> upstream = new ArrayList<>(exchange.upstreamResults());
		for (RefVerdict verdict : exchange.refs()) {
			ReceiveCommand command = verdict.command();
			ObjectNode update = updates.addObject();
			update.put("ref", command.getRefName());
			update.put("old", command.getOldId().name());
			update.put("new", command.getNewId().name());
			update.put("type", type(command));
			if (!verdict.isAllowed()) {
				update.put("result", "rejected");
				ObjectNode reason = update.putObject("reason");
				reason.put("by", "warden");
				reason.put("code", verdict.reason().code());
				reason.put("message", verdict.message());
				continue;
			}
			RefResult result = take(upstream, command.getRefName());
			if (result == null) {
				update.put("result", "unknown");
			}
			else {
				result(update, result);
			}
		}
		for (RefResult extra : upstream) {
			// reported by the upstream for a ref the push did not name: kept, since it is what was said
			ObjectNode update = updates.addObject();
			update.put("ref", extra.ref());
			result(update, extra);
		}
	}

	private static void result(ObjectNode update, RefResult result) {
		update.put("result", result.ok() ? "ok" : "rejected");
		if (!result.ok()) {
			ObjectNode reason = update.putObject("reason");
			reason.put("by", "upstream");
			reason.put("message", result.reason());
		}
	}

	private static RefResult take(List<RefResult> results, String ref) {
		for (int i = 0; i < results.size(); i++) {
			if (results.get(i).ref().equals(ref)) {
				return results.remove(i);
			}
		}
		return null;
	}

	private static String type(ReceiveCommand command) {
		return switch (command.getType()) {
			case CREATE -> "create";
			case DELETE -> "delete";
			case UPDATE, UPDATE_NONFASTFORWARD -> "update";
		};
	}

	private static void putText(ObjectNode event, String name, String value) {
		if (value != null) {
			event.put(name, (value.length() > MAX_TEXT) ? value.substring(0, MAX_TEXT) : value);
		}
	}

}
