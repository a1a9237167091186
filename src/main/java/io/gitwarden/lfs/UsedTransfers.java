package io.gitwarden.lfs;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;

/**
 * The ids of transfer URLs in use or used, until they expire: a URL serves one transfer. A transfer
 * {@link #reserve reserves} its id (a second request with the same URL is refused while it runs), then
 * {@link #commit commits} it when it succeeded (the URL is spent) or {@link #release releases} it when it
 * failed, so that git-lfs can retry a failed transfer with the same URL until it expires. Bounded: ids are
 * dropped once their URL has expired (every few thousand reservations, and whenever the set is full), and when {@value #MAX_ENTRIES} unexpired ids are held, new transfers
 * are refused as busy rather than forgetting an id early (which would let a URL be used twice).
 */
final class UsedTransfers {

	static final int MAX_ENTRIES = 200_000;

	/** Expired ids are dropped every this many reservations too, so the set stays small in normal use. */
	static final int PURGE_EVERY = 4096;

	private final ConcurrentMap<String, Entry> entries = new ConcurrentHashMap<>();

	private final Clock clock;

	private final int maxEntries;

	private final AtomicInteger reservations = new AtomicInteger();

	UsedTransfers(Clock clock) {
		this(clock, MAX_ENTRIES);
	}

	UsedTransfers(Clock clock, int maxEntries) {
		this.clock = clock;
		this.maxEntries = maxEntries;
	}

	private record Entry(long expiresAtSecond, boolean done) {

	}

	/**
	 * @throws Refusal {@link RefusalReason#LFS_TRANSFER_USED} when the id is spent or in use,
	 * {@link RefusalReason#SERVER_BUSY} when the set is full of unexpired ids
	 */
	void reserve(String id, Instant expiresAt) {
		if (this.reservations.incrementAndGet() % PURGE_EVERY == 0) {
			purge();
		}
		if (this.entries.size() >= this.maxEntries) {
			purge();
			if (this.entries.size() >= this.maxEntries) {
				throw new Refusal(RefusalReason.SERVER_BUSY, "too many LFS transfer URLs in use");
			}
		}
		if (this.entries.putIfAbsent(id, new Entry(expiresAt.getEpochSecond(), false)) != null) {
			throw new Refusal(RefusalReason.LFS_TRANSFER_USED);
		}
	}

	/** The transfer succeeded: the URL is spent. */
	void commit(String id) {
		this.entries.computeIfPresent(id, (key, entry) -> new Entry(entry.expiresAtSecond(), true));
	}

	/** The transfer failed: the URL may be used again until it expires. */
	void release(String id) {
		this.entries.computeIfPresent(id, (key, entry) -> entry.done() ? entry : null);
	}

	/** Ids held (for tests and the purge). */
	int size() {
		return this.entries.size();
	}

	/** Drops the ids of expired URLs: those URLs are refused for their expiry anyway. */
	void purge() {
		long now = this.clock.instant().getEpochSecond();
		this.entries.values().removeIf((entry) -> entry.expiresAtSecond() <= now);
	}

}
