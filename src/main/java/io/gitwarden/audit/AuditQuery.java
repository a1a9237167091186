package io.gitwarden.audit;

import java.util.List;

/**
 * Reads audit events back, newest first: from the audit files of this instance, or from the shared store
 * for the whole fleet. Pages are bounded both in events and in bytes, and continue with a cursor.
 */
public interface AuditQuery {

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
	 * A page of events.
	 *
	 * @param events each a JSON object (UTF-8), newest first
	 * @param next the cursor of the next (older) page, or {@code null} when there is none
	 */
	record Page(List<byte[]> events, String next) {

	}

}
