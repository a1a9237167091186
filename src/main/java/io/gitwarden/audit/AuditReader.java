package io.gitwarden.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
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
 * <p>Summaries ({@link #sessions}, {@link #counts}) read backwards from the newest event too, and stop at the
 * first event older than the start of their range by more than {@value #STRAGGLER_HOURS} hour (events are
 * written when a request ends, so a long request's event follows younger ones), or after
 * {@value #MAX_SCANNED} events, when they say they are incomplete.
 *
 * <p>The cursor of the next page is the {@code prev} of the last event returned (the hash of the line
 * before it): the next page skips back to that event and goes on from there, whatever was appended or
 * rotated in between.
 */
public final class AuditReader implements AuditQuery {

	private static final Pattern CURSOR = Pattern.compile("[0-9a-f]{64}");

	/** Most events a summary reads. */
	static final int MAX_SCANNED = 500_000;

	/** Most sessions a summary tracks while it reads. */
	static final int MAX_TRACKED = 10_000;

	/** How far past the start of its range a summary keeps reading. */
	static final int STRAGGLER_HOURS = 1;

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

	@Override
	public Sessions sessions(Instant since, Instant until, int limit) {
		Instant end = (until != null) ? until : Instant.now();
		AuditFilter range = new AuditFilter(null, null, null, since, null, end);
		Map<String, SessionAccumulator> sessions = new HashMap<>();
		boolean[] overflow = { false };
		boolean complete = scan(since, (event) -> {
			String session = AuditFilter.text(event, "session");
			if (session == null || !range.matches(event)) {
				return true;
			}
			SessionAccumulator accumulator = sessions.get(session);
			if (accumulator == null) {
				if (sessions.size() >= MAX_TRACKED) {
					overflow[0] = true;
					return true;
				}
				accumulator = new SessionAccumulator(session);
				sessions.put(session, accumulator);
			}
			accumulator.add(event);
			return true;
		});
		List<SessionSummary> summaries = sessions.values()
			.stream()
			.sorted(Comparator.comparing((SessionAccumulator accumulator) -> accumulator.lastSeen).reversed())
			.limit(Math.min(limit, MAX_SESSIONS))
			.map(SessionAccumulator::summary)
			.toList();
		return new Sessions(since, end, summaries, complete && !overflow[0]);
	}

	@Override
	public Counts counts(AuditFilter filter) {
		Instant end = (filter.until() != null) ? filter.until() : Instant.now();
		AuditFilter range = new AuditFilter(filter.session(), filter.repo(), filter.decision(), filter.since(),
				filter.reason(), end);
		long[] events = { 0 };
		Map<String, Long> byDecision = new LinkedHashMap<>();
		Map<String, Long> byOperation = new LinkedHashMap<>();
		Map<String, Long> byReason = new LinkedHashMap<>();
		boolean complete = scan(filter.since(), (event) -> {
			if (!range.matches(event)) {
				return true;
			}
			events[0]++;
			String decision = AuditFilter.text(event, "decision");
			String operation = AuditFilter.text(event, "operation");
			byDecision.merge((decision != null) ? decision : "none", 1L, Long::sum);
			byOperation.merge((operation != null) ? operation : "none", 1L, Long::sum);
			JsonNode reason = event.get("reason");
			String code = (reason != null) ? AuditFilter.text(reason, "code") : null;
			if (code != null && byReason.size() < 1000) {
				byReason.merge(code, 1L, Long::sum);
			}
			return true;
		});
		return new Counts(filter.since(), end, events[0], byDecision, byOperation, byReason, complete);
	}

	/**
	 * Hands events to {@code visitor}, newest first, until one is older than {@code since} by more than the
	 * straggler allowance.
	 * @return false when the scan stopped at {@link #MAX_SCANNED} events before reaching the start
	 */
	private boolean scan(Instant since, Predicate<JsonNode> visitor) {
		Instant stop = since.minus(Duration.ofHours(STRAGGLER_HOURS));
		List<ReverseLineReader> readers;
		try {
			readers = this.log.openNewestFirst();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		long scanned = 0;
		try {
			for (ReverseLineReader reader : readers) {
				for (byte[] line = reader.previous(); line != null; line = reader.previous()) {
					JsonNode event = parse(line);
					if (event == null) {
						continue;
					}
					if (++scanned > MAX_SCANNED) {
						return false;
					}
					Instant time = AuditFilter.time(event);
					if (time != null && time.isBefore(stop)) {
						return true;
					}
					if (!visitor.test(event)) {
						return true;
					}
				}
			}
			return true;
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
	}

	/** One session's figures while the files are read. */
	private static final class SessionAccumulator {

		private final String session;

		private Instant firstSeen;

		private Instant lastSeen;

		private long requests;

		private long fetches;

		private long pushes;

		private long denials;

		private final Set<String> repositories = new LinkedHashSet<>();

		private final Set<String> refs = new LinkedHashSet<>();

		private final Set<String> reasons = new LinkedHashSet<>();

		SessionAccumulator(String session) {
			this.session = session;
		}

		void add(JsonNode event) {
			Instant time = AuditFilter.time(event);
			if (this.firstSeen == null || time.isBefore(this.firstSeen)) {
				this.firstSeen = time;
			}
			if (this.lastSeen == null || time.isAfter(this.lastSeen)) {
				this.lastSeen = time;
			}
			this.requests++;
			String operation = AuditFilter.text(event, "operation");
			if ("fetch".equals(operation)) {
				this.fetches++;
			}
			else if ("push".equals(operation)) {
				this.pushes++;
			}
			add(this.repositories, AuditFilter.text(event, "repo"));
			JsonNode updates = event.get("updates");
			if (updates != null && updates.isArray()) {
				for (JsonNode update : updates) {
					add(this.refs, AuditFilter.text(update, "ref"));
				}
			}
			if ("denied".equals(AuditFilter.text(event, "decision"))) {
				this.denials++;
				JsonNode reason = event.get("reason");
				add(this.reasons, (reason != null) ? AuditFilter.text(reason, "code") : null);
			}
		}

		private static void add(Set<String> values, String value) {
			if (value != null && values.size() < SessionSummary.MAX_LISTED) {
				values.add(value);
			}
		}

		SessionSummary summary() {
			return new SessionSummary(this.session, this.firstSeen, this.lastSeen, this.requests, this.fetches,
					this.pushes, this.denials, List.copyOf(this.repositories), List.copyOf(this.refs),
					List.copyOf(this.reasons));
		}

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
