package io.gitwarden.mirror;

import java.time.Duration;
import java.util.Locale;

/**
 * What bringing a mirror up to date took.
 *
 * @param outcome whether the upstream was contacted, and whether the mirror was empty before
 * @param elapsed time spent, including waiting for a fetch another request started
 */
public record MirrorUpdate(Outcome outcome, Duration elapsed) {

	/** How the mirror came to hold what was asked for. */
	public enum Outcome {

		/** The mirror already had everything: no upstream contact. */
		HIT,

		/** The mirror was fetched from the upstream (by this request or one it waited for). */
		UPDATED,

		/** The mirror was empty (new, or deleted since) and was fetched whole. */
		CREATED;

		/** {@code hit}, {@code updated} or {@code created}, for audit events and metric tags. */
		public String label() {
			return name().toLowerCase(Locale.ROOT);
		}

	}

}
