package io.gitwarden.admin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.gitwarden.audit.AuditQuery;

/** The JSON shapes of the admin API's summaries (documented in {@code openapi/admin-v1.yaml}). */
final class AdminViews {

	private AdminViews() {
	}

	static Map<String, Object> sessions(AuditQuery.Sessions sessions) {
		List<Map<String, Object>> rows = new ArrayList<>();
		for (AuditQuery.SessionSummary summary : sessions.sessions()) {
			Map<String, Object> row = new LinkedHashMap<>();
			row.put("session", summary.session());
			row.put("firstSeen", summary.firstSeen().toString());
			row.put("lastSeen", summary.lastSeen().toString());
			row.put("requests", summary.requests());
			row.put("fetches", summary.fetches());
			row.put("pushes", summary.pushes());
			row.put("denials", summary.denials());
			row.put("repositories", summary.repositories());
			row.put("refs", summary.refs());
			row.put("reasons", summary.reasons());
			rows.add(row);
		}
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("since", sessions.since().toString());
		body.put("until", sessions.until().toString());
		body.put("complete", sessions.complete());
		body.put("sessions", rows);
		return body;
	}

	static Map<String, Object> counts(AuditQuery.Counts counts) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("since", counts.since().toString());
		body.put("until", counts.until().toString());
		body.put("complete", counts.complete());
		body.put("events", counts.events());
		body.put("byDecision", new TreeMap<>(counts.byDecision()));
		body.put("byOperation", new TreeMap<>(counts.byOperation()));
		body.put("byReason", new TreeMap<>(counts.byReason()));
		return body;
	}

}
