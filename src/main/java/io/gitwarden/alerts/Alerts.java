package io.gitwarden.alerts;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import io.gitwarden.refusal.Category;
import io.gitwarden.refusal.RefusalReason;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Builds alerts from audit events: what kind a denied request is, and the one-line summary people read.
 * Everything taken from an event was sent by a client (refs, repository names, messages quoting them), so
 * summaries drop control characters and cut each value.
 */
final class Alerts {

	/** Longest value quoted in a summary. */
	static final int MAX_VALUE = 200;

	private final JsonMapper json;

	Alerts(JsonMapper json) {
		this.json = json;
	}

	/** The alert for a denied request, or {@code null} when the event is not a denial. */
	Alert denied(JsonNode event) {
		if (!"denied".equals(text(event, "decision"))) {
			return null;
		}
		Set<AlertType> kinds = EnumSet.of(AlertType.REQUEST_DENIED);
		String operation = text(event, "operation");
		if ("push".equals(operation)) {
			kinds.add(AlertType.PUSH_DENIED);
		}
		JsonNode reason = event.get("reason");
		if (reason != null && "policy".equals(text(reason, "category"))) {
			kinds.add(AlertType.POLICY_VIOLATION);
		}
		for (JsonNode update : updates(event)) {
			JsonNode refReason = update.get("reason");
			if (refReason != null && "warden".equals(text(refReason, "by")) && isContentPolicy(text(refReason, "code"))) {
				kinds.add(AlertType.POLICY_VIOLATION);
			}
		}
		AlertType type = kinds.contains(AlertType.POLICY_VIOLATION) ? AlertType.POLICY_VIOLATION
				: kinds.contains(AlertType.PUSH_DENIED) ? AlertType.PUSH_DENIED : AlertType.REQUEST_DENIED;
		String session = text(event, "session");
		StringBuilder summary = new StringBuilder("git-warden: ").append(type.title());
		summary.append(": session ").append(clean((session != null) ? session : "(none)"));
		String repo = text(event, "repo");
		if (repo != null) {
			summary.append(" on ").append(clean(repo));
		}
		if (operation != null && !"push".equals(operation)) {
			summary.append(" (").append(clean(operation)).append(')');
		}
		List<String> refused = refusedRefs(event);
		if (!refused.isEmpty()) {
			summary.append(", ").append(String.join(", ", refused.stream().limit(3).map(Alerts::clean).toList()));
			if (refused.size() > 3) {
				summary.append(" and ").append(refused.size() - 3).append(" more");
			}
		}
		if (reason != null) {
			summary.append(": ").append(clean(text(reason, "message"))).append(" [")
				.append(clean(text(reason, "code"))).append(']');
		}
		return new Alert(UUID.randomUUID().toString(), type, kinds, time(event), session, summary.toString(), event);
	}

	/** The alert for a session that passed the denial threshold. */
	Alert suspicious(DenialTracker.Suspicion suspicion) {
		ObjectNode data = this.json.createObjectNode();
		data.put("session", suspicion.session());
		data.put("denials", suspicion.denials());
		data.put("window", suspicion.window().toString());
		data.put("firstDenial", suspicion.first().toString());
		data.put("lastDenial", suspicion.last().toString());
		strings(data.putArray("repositories"), suspicion.repositories());
		strings(data.putArray("refs"), suspicion.refs());
		strings(data.putArray("reasons"), suspicion.reasons());
		StringBuilder summary = new StringBuilder("git-warden: suspicious session ").append(clean(suspicion.session()))
			.append(": ")
			.append(suspicion.denials())
			.append(" denied requests within ")
			.append(window(suspicion.window()));
		if (!suspicion.repositories().isEmpty()) {
			summary.append(" on ").append(join(suspicion.repositories()));
		}
		if (!suspicion.refs().isEmpty()) {
			summary.append(", refs ").append(join(suspicion.refs()));
		}
		if (!suspicion.reasons().isEmpty()) {
			summary.append(" [").append(join(suspicion.reasons())).append(']');
		}
		return new Alert(UUID.randomUUID().toString(), AlertType.SESSION_SUSPICIOUS,
				EnumSet.of(AlertType.SESSION_SUSPICIOUS), suspicion.last(), suspicion.session(), summary.toString(), data);
	}

	/** The refs of a push that git-warden refused, in request order. */
	static List<String> refusedRefs(JsonNode event) {
		List<String> refs = new ArrayList<>();
		for (JsonNode update : updates(event)) {
			JsonNode reason = update.get("reason");
			String ref = text(update, "ref");
			if (ref != null && reason != null && "warden".equals(text(reason, "by"))
					&& !RefusalReason.NOT_PUSHED_OTHER_REF_REFUSED.code().equals(text(reason, "code"))) {
				refs.add(ref);
			}
		}
		return refs;
	}

	private static boolean isContentPolicy(String code) {
		if (code == null || code.equals(RefusalReason.NOT_PUSHED_OTHER_REF_REFUSED.code())) {
			return false;
		}
		for (RefusalReason reason : RefusalReason.values()) {
			if (reason.code().equals(code)) {
				return reason.category() == Category.POLICY;
			}
		}
		return false;
	}

	private static Iterable<JsonNode> updates(JsonNode event) {
		JsonNode updates = event.get("updates");
		return (updates != null && updates.isArray()) ? updates : List.of();
	}

	private static Instant time(JsonNode event) {
		String time = text(event, "time");
		try {
			return (time != null) ? Instant.parse(time) : Instant.now();
		}
		catch (RuntimeException ex) {
			return Instant.now();
		}
	}

	private static String window(java.time.Duration window) {
		if (window.toSeconds() % 60 == 0) {
			return window.toMinutes() + "m";
		}
		return window.toMillis() % 1000 == 0 ? window.toSeconds() + "s" : window.toMillis() + "ms";
	}

	private static String join(List<String> values) {
		return String.join(", ", values.stream().map(Alerts::clean).toList());
	}

	private static void strings(ArrayNode array, List<String> values) {
		values.forEach(array::add);
	}

	static String text(JsonNode node, String field) {
		JsonNode value = (node != null) ? node.get(field) : null;
		return (value != null && value.isString()) ? value.asString() : null;
	}

	/** A client-supplied value fit for one line: no control or format characters, at most {@value #MAX_VALUE}. */
	static String clean(String value) {
		if (value == null) {
			return "";
		}
		StringBuilder out = new StringBuilder(Math.min(value.length(), MAX_VALUE + 3));
		for (int i = 0; i < value.length() && out.length() < MAX_VALUE; i++) {
			char c = value.charAt(i);
			int type = Character.getType(c);
			out.append((Character.isISOControl(c) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
					|| type == Character.PARAGRAPH_SEPARATOR) ? '?' : c);
		}
		if (value.length() > MAX_VALUE) {
			out.append("...");
		}
		return out.toString();
	}

}
