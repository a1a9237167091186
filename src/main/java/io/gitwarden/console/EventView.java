package io.gitwarden.console;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * An audit event as the console shows it. Values are plain strings: Thymeleaf escapes them, and client-supplied
 * text (refs, user agents, messages quoting them) is shown, never interpreted.
 *
 * @param time {@code time}
 * @param requestId {@code requestId}
 * @param session {@code session}, or {@code null}
 * @param repo {@code repo}, or {@code null}
 * @param operation {@code operation}, or {@code null}
 * @param decision {@code decision}
 * @param status the HTTP status answered
 * @param reasonCode the refusal code, or {@code null}
 * @param reasonMessage the refusal message, or {@code null}
 * @param updates the ref updates of a push
 * @param findings what content inspection reported, one line each
 * @param durationMs time to answer
 * @param client the client's address
 * @param userAgent the client's user agent
 * @param action the admin or console action, for admin events
 */
record EventView(String time, String requestId, String session, String repo, String operation, String decision,
		int status, String reasonCode, String reasonMessage, List<Update> updates, List<String> findings,
		long durationMs, String client, String userAgent, String action) {

	/** Most findings listed per event. */
	static final int MAX_FINDINGS = 20;

	/**
	 * One ref update of a push.
	 *
	 * @param ref the ref
	 * @param oldId the old object id, abbreviated
	 * @param newId the new object id, abbreviated
	 * @param type {@code create}, {@code update} or {@code delete}
	 * @param result {@code ok}, {@code rejected} or {@code unknown}
	 * @param reason why it was rejected ({@code warden: ...} or {@code upstream: ...}), or {@code null}
	 */
	record Update(String ref, String oldId, String newId, String type, String result, String reason) {

	}

	static EventView of(JsonNode event) {
		JsonNode reason = event.get("reason");
		List<Update> updates = new ArrayList<>();
		JsonNode updateNodes = event.get("updates");
		if (updateNodes != null && updateNodes.isArray()) {
			for (JsonNode update : updateNodes) {
				JsonNode refReason = update.get("reason");
				String why = null;
				if (refReason != null) {
					why = text(refReason, "by") + ": " + text(refReason, "message")
							+ ((text(refReason, "code") != null) ? " [" + text(refReason, "code") + "]" : "");
				}
				updates.add(new Update(text(update, "ref"), shortId(text(update, "old")), shortId(text(update, "new")),
						text(update, "type"), text(update, "result"), why));
			}
		}
		JsonNode admin = event.get("admin");
		return new EventView(text(event, "time"), text(event, "requestId"), text(event, "session"),
				text(event, "repo"), text(event, "operation"), text(event, "decision"), event.path("status").asInt(0),
				(reason != null) ? text(reason, "code") : null, (reason != null) ? text(reason, "message") : null,
				updates, findings(event), event.path("durationMs").asLong(0), text(event, "client"),
				text(event, "userAgent"), (admin != null) ? text(admin, "action") : null);
	}

	/**
	 * What content inspection reported: the entries of a {@code findings} array (at the top or under
	 * {@code inspection}), each as one line of its fields.
	 */
	private static List<String> findings(JsonNode event) {
		List<String> lines = new ArrayList<>();
		for (JsonNode holder : new JsonNode[] { event, event.get("inspection") }) {
			JsonNode findings = (holder != null) ? holder.get("findings") : null;
			if (findings == null || !findings.isArray()) {
				continue;
			}
			for (JsonNode finding : findings) {
				if (lines.size() == MAX_FINDINGS) {
					return lines;
				}
				lines.add(line(finding));
			}
		}
		return lines;
	}

	private static String line(JsonNode finding) {
		if (!finding.isObject()) {
			return finding.isString() ? finding.asString() : finding.toString();
		}
		StringBuilder line = new StringBuilder();
		for (Map.Entry<String, JsonNode> field : finding.properties()) {
			if (!line.isEmpty()) {
				line.append(", ");
			}
			JsonNode value = field.getValue();
			line.append(field.getKey()).append(' ').append(value.isString() ? value.asString() : value.toString());
		}
		return line.toString();
	}

	private static String shortId(String id) {
		return (id != null && id.length() > 12) ? id.substring(0, 12) : id;
	}

	static String text(JsonNode node, String field) {
		JsonNode value = (node != null) ? node.get(field) : null;
		return (value != null && value.isString()) ? value.asString() : null;
	}

	boolean isDenied() {
		return "denied".equals(this.decision);
	}

	/** The fields a live update carries (the page builds its row from them). */
	Map<String, Object> live() {
		Map<String, Object> live = new LinkedHashMap<>();
		live.put("time", this.time);
		live.put("requestId", this.requestId);
		live.put("session", this.session);
		live.put("repo", this.repo);
		live.put("operation", this.operation);
		live.put("decision", this.decision);
		live.put("status", this.status);
		live.put("reasonCode", this.reasonCode);
		live.put("reasonMessage", this.reasonMessage);
		live.put("refs", this.updates.stream().map(Update::ref).toList());
		return live;
	}

}
