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
 */
public record AuditFilter(String session, String repo, String decision, Instant since) {

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
		if (this.since != null) {
			String time = text(event, "time");
			try {
				return time != null && !Instant.parse(time).isBefore(this.since);
			}
			catch (RuntimeException ex) {
				return false;
			}
		}
		return true;
	}

	private static String text(JsonNode event, String field) {
		JsonNode value = event.get(field);
		return (value != null && value.isString()) ? value.asString() : null;
	}

}
