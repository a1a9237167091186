package io.gitwarden.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Answers audit queries from the audit files, newest event first. The files are read backwards a block
 * at a time and the reading stops as soon as {@code limit} events matched or their bytes reached the
 * budget, so memory is bounded whatever the size of the files; a query with a rare filter still scans,
 * from the newest event back, every file kept.
 *
 * <p>The cursor of the next page is the {@code prev} of the last event returned (the hash of the line
 * before it): the next page skips back to that event and goes on from there, whatever was appended or
 * rotated in between.
 */
public final class AuditReader implements AuditQuery {

	private static final Pattern CURSOR = Pattern.compile("[0-9a-f]{64}");

	private final AuditLog log;

	private final JsonMapper json;

	AuditReader(AuditLog log, JsonMapper json) {
		this.log = log;
		this.json = json;
	}

	@Override
	public boolean isReadable() {
		return this.log.target() == AuditLog.Target.FILE;
	}

	@Override
	public Page newestFirst(AuditFilter filter, String before, int limit, long maxBytes) {
		if (before != null && !CURSOR.matcher(before).matches()) {
			throw new IllegalArgumentException("not a cursor of the audit file");
		}
		List<ReverseLineReader> readers;
		try {
			readers = this.log.openNewestFirst();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		List<byte[]> found = new ArrayList<>();
		long bytes = 0;
		String lastPrev = null;
		boolean skipping = before != null;
		try {
			for (ReverseLineReader reader : readers) {
				for (byte[] line = reader.previous(); line != null; line = reader.previous()) {
					JsonNode event = parse(line);
					if (event == null) {
						continue;
					}
					String prev = text(event, AuditChain.PREV);
					if (skipping) {
						skipping = !before.equals(prev);
						continue;
					}
					if (!filter.matches(event)) {
						continue;
					}
					if (found.size() == limit || (!found.isEmpty() && bytes + line.length > maxBytes)) {
						return new Page(found, lastPrev);
					}
					found.add(line);
					bytes += line.length + 1;
					lastPrev = prev;
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
		return new Page(found, null);
	}

	/** Newest matching events, parsed (tests and tools). */
	List<JsonNode> newestFirst(AuditFilter filter, int limit) {
		List<JsonNode> events = new ArrayList<>();
		for (byte[] line : newestFirst(filter, null, limit, Long.MAX_VALUE).events()) {
			events.add(parse(line));
		}
		return events;
	}

	private static String text(JsonNode event, String field) {
		JsonNode value = event.get(field);
		return (value != null && value.isString()) ? value.asString() : null;
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
