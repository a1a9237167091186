package io.gitwarden.audit;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The one way into the audit trail: {@link #record} takes an event (a JSON object, whatever its fields),
 * keeps it under 64 KiB ({@link AuditEventLimits}), writes it to the audit file ({@link AuditLog}), hands it
 * to every other {@link AuditSink} (the shared store) and, for log shippers, logs it to the logger named
 * {@code audit} at INFO (skipped when the audit file is {@code /dev/stdout}: both would land on the same
 * stream).
 *
 * <p>It never throws, whatever happens ({@link Throwable}s included): an event that cannot be prepared is
 * replaced by a minimal one (time, request id, decision and {@code "recordingError"}), and every failure to
 * prepare or write is counted ({@link #failures()}, the {@code warden.audit.failures} metric) and logged
 * with the exception's type, never with the event's content.
 */
public final class AuditTrail {

	static final String LOGGER_NAME = "audit";

	private static final Log auditLogger = LogFactory.getLog(LOGGER_NAME);

	private static final Log logger = LogFactory.getLog(AuditTrail.class);

	private final AuditEventLimits limits;

	private final JsonMapper json;

	private final AuditLog file;

	private final List<AuditSink> sinks;

	private final boolean copyToLogger;

	private final AtomicLong failures = new AtomicLong();

	AuditTrail(JsonMapper json, AuditLog file, List<AuditSink> sinks) {
		this.json = json;
		this.limits = new AuditEventLimits(json);
		this.file = file;
		this.sinks = List.copyOf(sinks);
		this.copyToLogger = file.target() != AuditLog.Target.STDOUT;
	}

	/** Records one event. Never throws. */
	public void record(ObjectNode event) {
		try {
			RecordedEvent recorded = prepare(event);
			if (recorded != null) {
				write(recorded);
			}
		}
		catch (Throwable ex) {
			failed("recording", text(event, "requestId"), ex);
		}
	}

	/**
	 * A stand-in for an event that could not be built: the fields that are safe to take, and
	 * {@code "recordingError"} naming the exception's type. For callers whose own mapping failed.
	 */
	public ObjectNode minimal(String time, String requestId, String decision, Throwable error) {
		ObjectNode event = this.json.createObjectNode();
		if (time != null) {
			event.put("time", time);
		}
		if (requestId != null) {
			event.put("requestId", requestId);
		}
		if (decision != null) {
			event.put("decision", decision);
		}
		event.put("recordingError", (error != null) ? error.getClass().getName() : "unknown");
		return event;
	}

	/** Counts and logs a failure that happened before {@link #record} (building the event). */
	public void failed(String what, String requestId, Throwable error) {
		this.failures.incrementAndGet();
		logger.error("Audit " + what + " failed for request " + requestId + ": " + describe(error));
	}

	private RecordedEvent prepare(ObjectNode event) {
		try {
			return this.limits.prepare(event);
		}
		catch (Throwable ex) {
			failed("event preparation", text(event, "requestId"), ex);
			ObjectNode minimal = minimal(text(event, "time"), text(event, "requestId"), text(event, "decision"), ex);
			return this.limits.prepare(minimal);
		}
	}

	private void write(RecordedEvent event) {
		try {
			byte[] line = this.file.append(event);
			if (this.copyToLogger && auditLogger.isInfoEnabled()) {
				auditLogger.info(new String(line, StandardCharsets.UTF_8));
			}
		}
		catch (Throwable ex) {
			failed("write to the audit file", event.requestId(), ex);
		}
		for (AuditSink sink : this.sinks) {
			try {
				sink.append(event);
			}
			catch (Throwable ex) {
				failed("write to " + sink.getClass().getSimpleName(), event.requestId(), ex);
			}
		}
	}

	/** Events that could not be prepared or written (each sink counts once) since start. */
	public long failures() {
		return this.failures.get();
	}

	/** The exception's type and message: messages of I/O and database errors name files and hosts, not events. */
	private static String describe(Throwable error) {
		String message = error.getMessage();
		return error.getClass().getName() + ((message != null) ? ": " + cut(message) : "");
	}

	private static String cut(String message) {
		return (message.length() > 300) ? message.substring(0, 300) + "..." : message;
	}

	private static String text(ObjectNode event, String field) {
		try {
			JsonNode value = (event != null) ? event.get(field) : null;
			return (value != null && value.isString()) ? AuditEventLimits.cut(value.asString(), 200) : null;
		}
		catch (Throwable ex) {
			return null;
		}
	}

}
