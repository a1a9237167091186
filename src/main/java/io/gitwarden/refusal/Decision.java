package io.gitwarden.refusal;

import java.util.Locale;

/**
 * How a request ended, as audit events, metrics and alerts record it. Derived from the refusal's
 * {@link Category}, never from an HTTP status.
 */
public enum Decision {

	/** Served (forwarded, or answered by git-warden) without a refusal. */
	ALLOWED,

	/** git's normal first request without credentials: answered with a 401 challenge, not a refusal. */
	CHALLENGED,

	/** Credentials were presented but did not authenticate a session. */
	UNAUTHENTICATED,

	/** Refused by a rule: authorization, content policy, or a request git-warden does not serve. */
	DENIED,

	/** Allowed by the rules, but the upstream or git-warden itself failed to serve it. */
	FAILED;

	/** The lower-case word used in audit events and metric tags. */
	public String word() {
		return name().toLowerCase(Locale.ROOT);
	}

	/** The decision recorded for a request that ended with {@code reason} ({@link #ALLOWED} for none). */
	public static Decision of(RefusalReason reason) {
		if (reason == null) {
			return ALLOWED;
		}
		return switch (reason.category()) {
			case AUTHENTICATION -> (reason == RefusalReason.CREDENTIALS_MISSING) ? CHALLENGED : UNAUTHENTICATED;
			case AUTHORIZATION, POLICY, PROTOCOL -> DENIED;
			case UPSTREAM, INTERNAL -> FAILED;
		};
	}

	/** Parses {@link #word()}; {@code null} when unknown. */
	public static Decision fromWord(String word) {
		for (Decision decision : values()) {
			if (decision.word().equals(word)) {
				return decision;
			}
		}
		return null;
	}

}
