package io.gitwarden.alerts;

import java.time.Instant;
import java.util.Set;

import tools.jackson.databind.JsonNode;

/**
 * One alert, built once and sent to every webhook that selected one of its kinds.
 *
 * @param id unique id (the CloudEvents {@code id}, the {@code X-Warden-Delivery} header)
 * @param type the most specific kind, which names it
 * @param kinds every kind it is (a webhook that selected any of them gets it)
 * @param time when the request that raised it arrived
 * @param session the session, or {@code null}
 * @param summary one line for people (Slack), without control characters
 * @param data the audit event of the request, or the summary of a suspicious session
 */
record Alert(String id, AlertType type, Set<AlertType> kinds, Instant time, String session, String summary,
		JsonNode data) {

	Alert {
		kinds = Set.copyOf(kinds);
	}

	boolean isFor(AlertProperties.Webhook webhook) {
		return this.kinds.stream().anyMatch(webhook::wants);
	}

}
