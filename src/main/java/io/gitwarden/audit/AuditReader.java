package io.gitwarden.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Answers audit queries from the audit files, newest event first. The files are read backwards a block
 * at a time and the reading stops as soon as {@code limit} events matched, so memory is bounded by the
 * limit whatever the size of the files; a query with a rare filter still scans, from the newest event
 * back, every file kept.
 */
public final class AuditReader {

	private final AuditLog log;

	private final JsonMapper json;

	AuditReader(AuditLog log, JsonMapper json) {
		this.log = log;
		this.json = json;
	}

	/** True when events can be read back (a regular audit file, not stdout). */
	public boolean isReadable() {
		return this.log.target() == AuditLog.Target.FILE;
	}

	/**
	 * @param filter which events
	 * @param limit most events returned
	 * @return matching events, newest first
	 * @throws UnsupportedOperationException when the audit target cannot be read back
	 */
	public List<JsonNode> newestFirst(AuditFilter filter, int limit) {
		List<JsonNode> found = new ArrayList<>();
		List<ReverseLineReader> readers;
		try {
			readers = this.log.openNewestFirst();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		try {
			for (ReverseLineReader reader : readers) {
				for (byte[] line = reader.previous(); line != null && found.size() < limit; line = reader.previous()) {
					JsonNode event = parse(line);
					if (event != null && filter.matches(event)) {
						found.add(event);
					}
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		finally {
			for (ReverseLineReader reader : readers) {
				try {
					reader.close();
				}
				catch (IOException ignored) {
					// read-only channel
				}
			}
		}
		return found;
	}

	private JsonNode parse(byte[] line) {
		if (line.length == 0) {
			return null;
		}
		try {
			JsonNode event = this.json.readTree(line);
			return (event != null && event.isObject()) ? event : null;
		}
		catch (JacksonException ex) {
			return null; // a damaged line: the verifier reports it, a query skips it
		}
	}

}
