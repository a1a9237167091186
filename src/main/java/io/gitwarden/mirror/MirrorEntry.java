package io.gitwarden.mirror;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import io.gitwarden.protocol.RepositoryId;
import org.eclipse.jgit.lib.Repository;

/**
 * One mirror's state in memory: its open repository, its leases, the fetch in flight and the
 * bookkeeping for eviction and maintenance. Leases and eviction are decided under this object's
 * monitor, so a leased mirror is never evicted and an evicted one is never leased again.
 */
final class MirrorEntry {

	final RepositoryId repositoryId;

	final Path gitDir;

	/** The fetch in flight, shared by every caller that needs one while it runs. */
	final AtomicReference<CompletableFuture<MirrorUpdate.Outcome>> flight = new AtomicReference<>();

	/** Held while refs are written: by fetches, adoptions and local ref updates. */
	final ReentrantLock refLock = new ReentrantLock();

	/** True while a GC is queued or running. */
	final AtomicBoolean maintenance = new AtomicBoolean();

	private Repository repository;

	private int leases;

	private boolean evicted;

	private volatile long lastUsedMillis;

	private volatile long sizeBytes;

	/** When the upstream state the refs were last written from was observed ({@link System#nanoTime()}). */
	private long refsObservedNanos;

	private boolean refsWritten;

	/** True once a GC ran on this repository (so a pack without a bitmap alone does not call for more). */
	volatile boolean gcAttempted;

	/** Guards {@link #pendingAdoptions}; waited on by callers about to fetch. */
	private final Object adoptionMonitor = new Object();

	/** Adoptions announced ({@link Mirror#announceAdoption}) and not yet done. */
	private int pendingAdoptions;

	MirrorEntry(RepositoryId repositoryId, Path gitDir, long sizeBytes, long lastUsedMillis) {
		this.repositoryId = repositoryId;
		this.gitDir = gitDir;
		this.sizeBytes = sizeBytes;
		this.lastUsedMillis = lastUsedMillis;
	}

	/**
	 * Takes a lease, opening (or recreating, when its directory was deleted) the repository.
	 * @return the open repository, or {@code null} when this entry was evicted (look it up again)
	 */
	synchronized Repository acquire(MirrorStore store, long now, boolean use) throws IOException {
		if (this.evicted) {
			return null;
		}
		if (this.repository != null && !MirrorStore.exists(this.gitDir)) {
			this.repository.close();
			this.repository = null;
		}
		if (this.repository == null) {
			this.repository = store.openOrCreate(this.gitDir);
			this.sizeBytes = MirrorStore.sizeOf(this.gitDir);
			this.gcAttempted = false;
			this.refsWritten = false;
		}
		this.leases++;
		if (use) {
			this.lastUsedMillis = now;
		}
		return this.repository;
	}

	synchronized void release(long now, boolean use) {
		this.leases--;
		if (use) {
			this.lastUsedMillis = now;
		}
	}

	/**
	 * Unless it is leased: marks this entry evicted, closes its repository and renames its directory
	 * away (so a new entry for the same repository starts from nothing).
	 * @return true when evicted
	 */
	synchronized boolean evict(MirrorStore store, Consumer<Path> trash) throws IOException {
		if (this.leases > 0 || this.evicted) {
			return false;
		}
		this.evicted = true;
		if (this.repository != null) {
			this.repository.close();
			this.repository = null;
		}
		Path moved = store.moveToTrash(this.gitDir);
		if (moved != null) {
			trash.accept(moved);
		}
		return true;
	}

	synchronized boolean isEvicted() {
		return this.evicted;
	}

	synchronized boolean isLeased() {
		return this.leases > 0;
	}

	/** Closes the repository at shutdown. */
	synchronized void close() {
		this.evicted = true;
		if (this.repository != null) {
			this.repository.close();
			this.repository = null;
		}
	}

	/** Records that the refs now reflect the upstream as observed at {@code observedNanos}. Hold refLock. */
	void refsWritten(long observedNanos) {
		if (!this.refsWritten || observedNanos - this.refsObservedNanos > 0) {
			this.refsObservedNanos = observedNanos;
			this.refsWritten = true;
		}
	}

	/** True when an advertisement observed at {@code observedNanos} is newer than the refs. Hold refLock. */
	boolean isNewer(long observedNanos) {
		return !this.refsWritten || observedNanos - this.refsObservedNanos > 0;
	}

	void adoptionAnnounced() {
		synchronized (this.adoptionMonitor) {
			this.pendingAdoptions++;
		}
	}

	void adoptionDone() {
		synchronized (this.adoptionMonitor) {
			this.pendingAdoptions--;
			if (this.pendingAdoptions == 0) {
				this.adoptionMonitor.notifyAll();
			}
		}
	}

	/**
	 * Waits, at most {@code timeoutNanos}, until no announced adoption is pending.
	 * @return true when there was one to wait for (what the caller missed may be here now)
	 */
	boolean awaitAdoptions(long timeoutNanos) throws InterruptedException {
		synchronized (this.adoptionMonitor) {
			if (this.pendingAdoptions == 0) {
				return false;
			}
			long deadline = System.nanoTime() + timeoutNanos;
			for (long left = timeoutNanos; this.pendingAdoptions > 0 && left > 0; left = deadline - System.nanoTime()) {
				this.adoptionMonitor.wait(Math.max(1, left / 1_000_000));
			}
			return true;
		}
	}

	long lastUsedMillis() {
		return this.lastUsedMillis;
	}

	long sizeBytes() {
		return this.sizeBytes;
	}

	void remeasure() {
		this.sizeBytes = MirrorStore.sizeOf(this.gitDir);
	}

}
