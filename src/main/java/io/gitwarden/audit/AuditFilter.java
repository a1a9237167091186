package io.gitwarden.audit;

import java.time.Instant;

import tools.jackson.databind.JsonNode;

/**
 * Which audit events a query wants; every criterion left {@code null} matches everything.
 *
 * @param session the session id (exact)
 * @param repo the repository {@code owner/name} (ignoring case, as repository names compare)
 * @param decision {@code allowed}, {@code challenged}, {@code unauthenticated}, {@code denied} or {@code failed}
 * @param since events at or after this time
 * @param reason the refusal code ({@code reason.code}, e.g. {@code ref-not-session-branch})
 * @param until events before this time
 */
public record AuditFilter(String session, String repo, String decision, Instant since, String reason,
		Instant until) {

	/** A filter without a reason or an end. */
	public AuditFilter(String session, String repo, String decision, Instant since) {
		this(session, repo, decision, since, null, null);
	}

	boolean matches(JsonNode event) {
		if (this.session != null && !this.session.equals(text(event, "session"))) {
			return false;
		}
		if (this.repo != null && !this.repo.equalsIgnoreCase(text(event, "repo"))) {
			return false;
		}
		if (this.decision != null && !this.decision.equals(text(event, "decision"))) {
			return false;
		}
		if (this.reason != null) {
			JsonNode reasonNode = event.get("reason");
			if (reasonNode == null || !this.reason.equals(text(reasonNode, "code"))) {
				return false;
			}
		}
		if (this.since != null || this.until != null) {
			Instant time = time(event);
			if (time == null) {
				return false;
			}
			if (this.since != null && time.isBefore(this.since)) {
				return false;
			}
			return this.until == null || time.isBefore(this.until);
		}
		return true;
	}

	/** The event's {@code time}, or {@code null} when it has none that parses. */
	static Instant time(JsonNode event) {
		String time = text(event, "time");
		try {
			return (time != null) ? Instant.parse(time) : null;
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

	static String text(JsonNode event, String field) {
		JsonNode value = event.get(field);
		return (value != null && value.isString()) ? value.asString() : null;
	}

}
