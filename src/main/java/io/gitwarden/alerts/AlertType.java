package io.gitwarden.alerts;

import java.util.Arrays;
import java.util.List;

/**
 * The kinds of alerts. Each request yields at most one (the most specific); a webhook that selected any
 * kind the request also is still gets it: a push refused by the content policy is a
 * {@link #POLICY_VIOLATION} and a {@link #PUSH_DENIED} and a {@link #REQUEST_DENIED}.
 */
enum AlertType {

	/** A request refused by the content policy (refusal category {@code policy}). */
	POLICY_VIOLATION("policy.violation", "content policy violation"),

	/** A push refused by git-warden (any ref refused, or the request). */
	PUSH_DENIED("push.denied", "push denied"),

	/** Any other denied request of a session (not sent unless selected). */
	REQUEST_DENIED("request.denied", "request denied"),

	/** More than {@code denials-threshold} denied requests of one session within {@code denials-window}. */
	SESSION_SUSPICIOUS("session.suspicious", "suspicious session");

	/** Prefix of the CloudEvents {@code type}. */
	static final String TYPE_PREFIX = "io.gitwarden.";

	private final String eventName;

	private final String title;

	AlertType(String eventName, String title) {
		this.eventName = eventName;
		this.title = title;
	}

	/** The name in {@code warden.alerts.webhooks[n].events}. */
	String eventName() {
		return this.eventName;
	}

	/** The CloudEvents {@code type}, e.g. {@code io.gitwarden.push.denied}. */
	String cloudEventType() {
		return TYPE_PREFIX + this.eventName;
	}

	String title() {
		return this.title;
	}

	static AlertType fromEventName(String name) {
		return Arrays.stream(values()).filter((type) -> type.eventName.equals(name)).findFirst().orElse(null);
	}

	static List<String> eventNames() {
		return Arrays.stream(values()).map(AlertType::eventName).toList();
	}

}
