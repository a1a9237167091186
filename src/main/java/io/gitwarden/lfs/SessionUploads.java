package io.gitwarden.lfs;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;

import org.springframework.util.unit.DataSize;

/**
 * Bytes of LFS objects each session has uploaded through this replica ({@code
 * warden.lfs.max-upload-bytes-per-session}). In memory: each replica counts what passed through it, and a
 * restart starts again from zero. An upload reserves its size before it starts and gives it back when it
 * fails, so concurrent uploads cannot pass the limit together.
 */
final class SessionUploads {

	/** Sessions counted at once; a session token lives at most a day ({@code warden.auth.max-token-lifetime}). */
	static final long MAX_SESSIONS = 100_000;

	private final DataSize limit;

	private final Cache<String, AtomicLong> uploaded = Caffeine.newBuilder()
		.maximumSize(MAX_SESSIONS)
		.expireAfterAccess(Duration.ofHours(25))
		.build();

	/** @param limit the limit, or {@code null} for none (then nothing is counted) */
	SessionUploads(DataSize limit) {
		this.limit = limit;
	}

	DataSize limit() {
		return this.limit;
	}

	/** Bytes the session has uploaded (or reserved). */
	long used(String session) {
		AtomicLong used = this.uploaded.getIfPresent(session);
		return (used != null) ? used.get() : 0;
	}

	/** Whether {@code bytes} more would stay within the limit (without reserving them). */
	boolean fits(String session, long alreadyPlanned, long bytes) {
		return this.limit == null || used(session) + alreadyPlanned + bytes <= this.limit.toBytes();
	}

	/**
	 * Reserves {@code bytes} for an upload.
	 * @throws Refusal {@link RefusalReason#LFS_UPLOAD_QUOTA} when the session would pass its limit
	 */
	void reserve(String session, long bytes) {
		if (this.limit == null) {
			return;
		}
		AtomicLong used = this.uploaded.get(session, (key) -> new AtomicLong());
		long max = this.limit.toBytes();
		long current;
		do {
			current = used.get();
			if (current + bytes > max) {
				throw new Refusal(RefusalReason.LFS_UPLOAD_QUOTA, this.limit);
			}
		}
		while (!used.compareAndSet(current, current + bytes));
	}

	/** Gives back the bytes of an upload that failed. */
	void release(String session, long bytes) {
		if (this.limit == null) {
			return;
		}
		AtomicLong used = this.uploaded.getIfPresent(session);
		if (used != null) {
			used.addAndGet(-bytes);
		}
	}

}
