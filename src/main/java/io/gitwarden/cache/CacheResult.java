package io.gitwarden.cache;

import java.util.Locale;

/** What the fetch cache did with one fetch. */
public enum CacheResult {

	/** Served from the mirror, which already had every want: the upstream was not contacted. */
	HIT,

	/** Served from the mirror after it was fetched from the upstream (one fetch, shared by every waiter). */
	MISS,

	/** Forwarded to the upstream: not servable from a mirror, or the mirror could not serve it. */
	BYPASS;

	/** {@code hit}, {@code miss} or {@code bypass}, for audit events and metric tags. */
	public String label() {
		return name().toLowerCase(Locale.ROOT);
	}

}
