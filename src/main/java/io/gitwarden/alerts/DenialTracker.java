package io.gitwarden.alerts;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Counts the denied requests of each session over a sliding window and says when a session passes
 * {@code threshold} within {@code window}: at most once per session and window. Memory is bounded: per
 * session, the times of the last {@code threshold + 1} denials and a few distinct repositories, refs and
 * reasons; at most {@code maxSessions} sessions, the least recently denied forgotten first, and sessions with
 * no denial within the window dropped as newer denials arrive. Thread-safe (one lock; the alert dispatcher
 * writes, the console reads).
 */
final class DenialTracker {

	/** Most distinct values kept per field of a suspicion. */
	static final int MAX_LISTED = 10;

	private final int threshold;

	private final Duration window;

	private final int maxSessions;

	private final LinkedHashMap<String, Denials> sessions;

	DenialTracker(int threshold, Duration window, int maxSessions) {
		this.threshold = threshold;
		this.window = window;
		this.maxSessions = maxSessions;
		this.sessions = new LinkedHashMap<>(16, 0.75f, true) {

			private static final long serialVersionUID = 1L;

			@Override
			protected boolean removeEldestEntry(Map.Entry<String, Denials> eldest) {
				return size() > DenialTracker.this.maxSessions;
			}

		};
	}

	/**
	 * A session that passed the threshold.
	 *
	 * @param session the session
	 * @param denials denied requests within the window
	 * @param window the window
	 * @param first the first of them
	 * @param last the last of them
	 * @param repositories repositories named since the previous alert (at most {@value DenialTracker#MAX_LISTED})
	 * @param refs refs refused since the previous alert
	 * @param reasons refusal codes since the previous alert
	 */
	record Suspicion(String session, int denials, Duration window, Instant first, Instant last,
			List<String> repositories, List<String> refs, List<String> reasons) {

	}

	/**
	 * Records one denied request.
	 * @return the suspicion to alert on, when this denial makes the session pass the threshold and it has not
	 * been alerted on within the window; else {@code null}
	 */
	synchronized Suspicion denied(String session, Instant time, String repository, List<String> refs, String reason) {
		expire(time);
		Denials denials = this.sessions.computeIfAbsent(session, (key) -> new Denials());
		denials.add(time, this.window, this.threshold + 1);
		add(denials.repositories, repository);
		refs.forEach((ref) -> add(denials.refs, ref));
		add(denials.reasons, reason);
		if (denials.times.size() <= this.threshold) {
			return null;
		}
		if (denials.lastAlert != null && time.isBefore(denials.lastAlert.plus(this.window))) {
			return null;
		}
		denials.lastAlert = time;
		Suspicion suspicion = new Suspicion(session, denials.times.size(), this.window, denials.first(),
				denials.last(), List.copyOf(denials.repositories), List.copyOf(denials.refs),
				List.copyOf(denials.reasons));
		denials.repositories.clear();
		denials.refs.clear();
		denials.reasons.clear();
		return suspicion;
	}

	/** Whether an alert was raised for the session within the last window before {@code now}. */
	synchronized boolean isSuspicious(String session, Instant now) {
		Denials denials = this.sessions.get(session);
		return denials != null && denials.lastAlert != null && now.isBefore(denials.lastAlert.plus(this.window));
	}

	/** Sessions tracked now. */
	synchronized int size() {
		return this.sessions.size();
	}

	/** Drops the least recently denied sessions whose window and alert have both passed. */
	private void expire(Instant now) {
		Instant horizon = now.minus(this.window);
		Iterator<Denials> eldest = this.sessions.values().iterator();
		while (eldest.hasNext()) {
			Denials denials = eldest.next();
			boolean stale = denials.last().isBefore(horizon)
					&& (denials.lastAlert == null || denials.lastAlert.isBefore(horizon));
			if (!stale) {
				return;
			}
			eldest.remove();
		}
	}

	private static void add(Set<String> values, String value) {
		if (value != null && values.size() < MAX_LISTED) {
			values.add(value);
		}
	}

	/** One session's recent denials. */
	private static final class Denials {

		private final ArrayDeque<Instant> times = new ArrayDeque<>();

		private final Set<String> repositories = new LinkedHashSet<>();

		private final Set<String> refs = new LinkedHashSet<>();

		private final Set<String> reasons = new LinkedHashSet<>();

		private Instant lastAlert;

		void add(Instant time, Duration window, int keep) {
			this.times.addLast(time);
			Instant horizon = time.minus(window);
			this.times.removeIf((seen) -> seen.isBefore(horizon));
			while (this.times.size() > keep) {
				this.times.removeFirst();
			}
		}

		Instant first() {
			return this.times.stream().min(Instant::compareTo).orElseThrow();
		}

		Instant last() {
			return this.times.stream().max(Instant::compareTo).orElseThrow();
		}

	}

}
