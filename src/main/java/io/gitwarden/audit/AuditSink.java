package io.gitwarden.audit;

/**
 * Somewhere audit events are stored besides the audit file ({@code warden.audit.file}): the shared
 * PostgreSQL store registers one. {@link AuditTrail} hands every event to every sink, each in its own
 * {@code try}, so a failing sink neither stops the others nor the request; a sink keeps its own hash
 * chain.
 */
public interface AuditSink {

	/**
	 * Stores one event, or queues it to be stored; called on the request's thread, so it must not wait for
	 * I/O that can stall (a database) and must never lose an accepted event.
	 * @throws Exception when the event could not be accepted (counted and logged by the caller)
	 */
	void append(RecordedEvent event) throws Exception;

}
