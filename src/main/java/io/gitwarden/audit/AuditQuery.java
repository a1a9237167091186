package io.gitwarden.audit;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Reads audit events back, newest first: from the audit files of this instance, or from the shared store
 * for the whole fleet. Pages are bounded both in events and in bytes, and continue with a cursor; summaries
 * ({@link #sessions}, {@link #counts}) are bounded by a time range and by the number of rows they return.
 */
public interface AuditQuery {

	/** Most sessions a summary returns. */
	int MAX_SESSIONS = 1000;

	/** True when events can be read back (not when they only go to a stream such as stdout). */
	boolean isReadable();

	/**
	 * @param filter which events
	 * @param before a cursor from a previous page's {@link Page#next()}, or {@code null} for the newest
	 * @param limit most events
	 * @param maxBytes most bytes of events; at least one event is returned when one matches
	 * @return the events, newest first
	 * @throws IllegalArgumentException when {@code before} is not a cursor of this store
	 * @throws UnsupportedOperationException when events cannot be read back
	 * @throws AuditStoreUnavailableException when the store cannot be reached
	 */
	Page newestFirst(AuditFilter filter, String before, int limit, long maxBytes);

	/**
	 * The sessions that made requests in {@code [since, until)}, the most recently active first.
	 * @param since the start of the range (required)
	 * @param until the end of the range, or {@code null} for now
	 * @param limit most sessions, at most {@link #MAX_SESSIONS}
	 * @throws UnsupportedOperationException when events cannot be read back
	 * @throws AuditStoreUnavailableException when the store cannot be reached
	 */
	Sessions sessions(Instant since, Instant until, int limit);

	/**
	 * How many events match, by decision, operation and refusal code.
	 * @param filter which events; its {@code since} is required
	 * @throws UnsupportedOperationException when events cannot be read back
	 * @throws AuditStoreUnavailableException when the store cannot be reached
	 */
	Counts counts(AuditFilter filter);

	/**
	 * A page of events.
	 *
	 * @param events each a JSON object (UTF-8), newest first
	 * @param next the cursor of the next (older) page, or {@code null} when there is none
	 */
	record Page(List<byte[]> events, String next) {

	}

	/**
	 * What one session did in a time range.
	 *
	 * @param session the session id
	 * @param firstSeen its first request in the range
	 * @param lastSeen its last request in the range
	 * @param requests requests recorded with its session
	 * @param fetches of which fetches ({@code operation: fetch})
	 * @param pushes of which pushes ({@code operation: push})
	 * @param denials of which denied ({@code decision: denied})
	 * @param repositories repositories it named (at most {@value SessionSummary#MAX_LISTED})
	 * @param refs refs it pushed or tried to push (at most {@value SessionSummary#MAX_LISTED})
	 * @param reasons refusal codes of its denials (at most {@value SessionSummary#MAX_LISTED})
	 */
	record SessionSummary(String session, Instant firstSeen, Instant lastSeen, long requests, long fetches,
			long pushes, long denials, List<String> repositories, List<String> refs, List<String> reasons) {

		/** Most values listed per field. */
		public static final int MAX_LISTED = 5;

		public SessionSummary {
			repositories = List.copyOf(repositories);
			refs = List.copyOf(refs);
			reasons = List.copyOf(reasons);
		}

	}

	/**
	 * A sessions summary.
	 *
	 * @param since start of the range
	 * @param until end of the range
	 * @param sessions most recently active first
	 * @param complete false when the range held more than the summary could read (then the oldest part of
	 * the range, or sessions past the limit, are missing)
	 */
	record Sessions(Instant since, Instant until, List<SessionSummary> sessions, boolean complete) {

		public Sessions {
			sessions = List.copyOf(sessions);
		}

	}

	/**
	 * Event counts.
	 *
	 * @param since start of the range
	 * @param until end of the range
	 * @param events events that matched
	 * @param byDecision per {@code decision}
	 * @param byOperation per {@code operation} ({@code none} for events without one)
	 * @param byReason per refusal code, for events with a reason
	 * @param complete false when the range held more events than the count could read
	 */
	record Counts(Instant since, Instant until, long events, Map<String, Long> byDecision,
			Map<String, Long> byOperation, Map<String, Long> byReason, boolean complete) {

		public Counts {
			byDecision = Map.copyOf(byDecision);
			byOperation = Map.copyOf(byOperation);
			byReason = Map.copyOf(byReason);
		}

	}

}
