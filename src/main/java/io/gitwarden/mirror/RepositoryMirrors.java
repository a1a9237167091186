package io.gitwarden.mirror;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.gitwarden.mirror.MirrorException.Reason;
import io.gitwarden.mirror.MirrorUpdate.Outcome;
import io.gitwarden.protocol.RepositoryId;
import io.gitwarden.upstream.UpstreamTarget;
import io.micrometer.core.instrument.MeterRegistry;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.AnyObjectId;
import org.eclipse.jgit.lib.BatchRefUpdate;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectDatabase;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * The repository mirrors: one bare JGit repository per upstream repository under
 * {@code warden.mirror.dir}, brought up to date from the upstream only when a caller needs something it
 * lacks, one fetch per repository at a time however many callers need it (single-flight), bounded in disk
 * use by deleting the least recently used mirrors, and repacked with reachability bitmaps in the
 * background. See {@code docs/mirror.md}.
 *
 * <p>Callers take a {@link Mirror} lease with {@link #open} for the duration of a request and close it;
 * a leased mirror is never evicted. The mirror is a cache: deleting the directory between requests loses
 * nothing, a missing mirror is made again.
 */
@Component
public class RepositoryMirrors implements DisposableBean {

	private static final Logger logger = LoggerFactory.getLogger(RepositoryMirrors.class);

	/**
	 * Longest a caller about to fetch waits for an announced adoption (which takes milliseconds; an
	 * adoption stuck on a slow disk must not hold fetches back longer than this).
	 */
	static final Duration ADOPTION_WAIT = Duration.ofSeconds(10);

	private final MirrorProperties properties;

	private final MirrorStore store;

	private final MirrorFetcher fetcher;

	private final Clock clock;

	private final MirrorMetrics metrics;

	private final Semaphore fetchSlots;

	private final Map<String, MirrorEntry> entries = new ConcurrentHashMap<>();

	private final ExecutorService maintenance;

	private final ExecutorService deletions;

	private final Object evictionLock = new Object();

	private volatile boolean initialized;

	public RepositoryMirrors(MirrorProperties properties, UpstreamTarget upstream, MeterRegistry registry,
			Clock clock) {
		this.properties = properties;
		this.store = new MirrorStore(properties.dir());
		this.fetcher = new MirrorFetcher(upstream,
				(int) Math.min(Integer.MAX_VALUE, properties.fetchTimeout().toSeconds()));
		this.clock = clock;
		this.fetchSlots = new Semaphore(properties.maxConcurrentUpdates(), true);
		this.maintenance = background("mirror-gc");
		this.deletions = background("mirror-delete");
		this.metrics = new MirrorMetrics(registry, this, RepositoryMirrors::diskBytes,
				(mirrors) -> mirrors.entries.size());
	}

	/** One low-priority daemon thread, ended when idle. */
	private static ExecutorService background(String name) {
		ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
				(runnable) -> {
					Thread thread = new Thread(runnable, name);
					thread.setDaemon(true);
					thread.setPriority(Thread.MIN_PRIORITY);
					// started from a request thread: not the web application's class loader
					thread.setContextClassLoader(RepositoryMirrors.class.getClassLoader());
					return thread;
				});
		executor.allowCoreThreadTimeOut(true);
		return executor;
	}

	/**
	 * Leases the mirror of {@code repository}, creating an empty one when there is none. Close the lease
	 * when the request is done.
	 * @throws MirrorException ({@link Reason#STORAGE}) when the mirror directory cannot be used
	 */
	public Mirror open(RepositoryId repository) throws MirrorException {
		initialize();
		String key = repository.canonical();
		while (true) {
			MirrorEntry entry = this.entries.computeIfAbsent(key,
					(k) -> new MirrorEntry(repository, this.store.gitDir(repository), 0, this.clock.millis()));
			Repository opened;
			try {
				opened = entry.acquire(this.store, this.clock.millis(), true);
			}
			catch (IOException | RuntimeException ex) {
				throw new MirrorException(Reason.STORAGE,
						"cannot open the mirror of " + repository + ": " + ex.getMessage(), ex);
			}
			if (opened != null) {
				return new Mirror(this, entry, opened);
			}
			this.entries.remove(key, entry);
		}
	}

	/** Bytes the mirrors use on disk (as last measured). */
	public long diskBytes() {
		long total = 0;
		for (MirrorEntry entry : this.entries.values()) {
			total += entry.sizeBytes();
		}
		return total;
	}

	/** True when no background GC is queued or running (for tests). */
	boolean maintenanceIdle() {
		return this.entries.values().stream().noneMatch((entry) -> entry.maintenance.get());
	}

	/** The directory holding the mirrors. */
	public Path directory() {
		return this.store.root();
	}

	private void initialize() throws MirrorException {
		if (this.initialized) {
			return;
		}
		synchronized (this) {
			if (this.initialized) {
				return;
			}
			try {
				for (MirrorStore.Found found : this.store.scan()) {
					this.entries.putIfAbsent(found.repository().canonical(), new MirrorEntry(found.repository(),
							found.gitDir(), found.sizeBytes(), found.lastUsedMillis()));
				}
			}
			catch (IOException | RuntimeException ex) {
				throw new MirrorException(Reason.STORAGE,
						"cannot read the mirror directory " + this.store.root() + ": " + ex.getMessage(), ex);
			}
			this.initialized = true;
		}
		evictIfNeeded();
	}

	// ---- updates (called by Mirror) ----

	MirrorUpdate ensureCurrent(MirrorEntry entry, Repository repository, AdvertisedRefs advertised)
			throws MirrorException {
		long start = System.nanoTime();
		try {
			List<ObjectId> ids = mirroredIds(advertised);
			Outcome outcome;
			if (check(() -> allPresent(repository, ids))) {
				syncRefs(entry, repository, advertised);
				outcome = Outcome.HIT;
			}
			else {
				outcome = fetchUntil(entry, repository, () -> allPresent(repository, ids),
						"advertised objects are");
			}
			return this.metrics.update(outcome, start);
		}
		catch (MirrorException ex) {
			this.metrics.updateFailed(start);
			throw ex;
		}
	}

	/**
	 * Follows an advertisement without the upstream. When some advertised objects are missing, a complete
	 * advertisement still deletes the refs the upstream no longer lists and moves those whose new object is
	 * here; refs whose new object is missing are left as they are, for the fetch that needs them.
	 */
	boolean follow(MirrorEntry entry, Repository repository, AdvertisedRefs advertised) throws MirrorException {
		long start = System.nanoTime();
		Map<String, ObjectId> present = new HashMap<>();
		List<String> missing = new ArrayList<>();
		try {
			ObjectDatabase objects = repository.getObjectDatabase();
			for (Map.Entry<String, ObjectId> ref : advertised.refs().entrySet()) {
				if (MirrorRefs.isMirrored(ref.getKey())) {
					if (objects.has(ref.getValue())) {
						present.put(ref.getKey(), ref.getValue());
					}
					else {
						missing.add(ref.getKey());
					}
				}
			}
			if (missing.isEmpty()) {
				syncRefs(entry, repository, advertised);
				this.metrics.update(Outcome.HIT, start);
				return true;
			}
			if (advertised.complete()) {
				for (String name : missing) {
					Ref current = repository.getRefDatabase().exactRef(name);
					if (current != null && current.getObjectId() != null) {
						present.put(name, current.getObjectId());
					}
				}
				syncRefs(entry, repository, new AdvertisedRefs(present, true, advertised.observedNanos()));
			}
			return false;
		}
		catch (IOException ex) {
			throw storage(ex);
		}
	}

	private static List<ObjectId> mirroredIds(AdvertisedRefs advertised) {
		List<ObjectId> ids = new ArrayList<>();
		advertised.refs().forEach((name, id) -> {
			if (MirrorRefs.isMirrored(name)) {
				ids.add(id);
			}
		});
		return ids;
	}

	MirrorUpdate ensureObjects(MirrorEntry entry, Repository repository, Collection<? extends AnyObjectId> ids,
			boolean servable) throws MirrorException {
		long start = System.nanoTime();
		try {
			Condition satisfied = servable
					? () -> allPresent(repository, ids) && MirrorUploadPack.servable(repository, ids)
					: () -> allPresent(repository, ids);
			Outcome outcome;
			if (check(satisfied)) {
				outcome = Outcome.HIT;
			}
			else {
				outcome = fetchUntil(entry, repository, satisfied,
						servable ? "wanted objects are not all servable" : "requested objects are");
			}
			return this.metrics.update(outcome, start);
		}
		catch (MirrorException ex) {
			this.metrics.updateFailed(start);
			throw ex;
		}
	}

	MirrorUpdate update(MirrorEntry entry, Repository repository) throws MirrorException {
		long start = System.nanoTime();
		try {
			return this.metrics.update(fetchUntil(entry, repository, () -> true, "refs are"), start);
		}
		catch (MirrorException ex) {
			this.metrics.updateFailed(start);
			throw ex;
		}
	}

	/**
	 * Fetches until {@code satisfied} holds: joins the fetch in flight if there is one, else runs one.
	 * A caller that joined a fetch started before its need arose (an advertisement newer than the fetch)
	 * runs a fetch of its own after it.
	 */
	private Outcome fetchUntil(MirrorEntry entry, Repository repository, Condition satisfied, String what)
			throws MirrorException {
		if (awaitAdoptions(entry) && check(satisfied)) {
			return Outcome.HIT; // a push this client just made, adopted after its response ended
		}
		for (int round = 0; round < 3; round++) {
			CompletableFuture<Outcome> mine = new CompletableFuture<>();
			CompletableFuture<Outcome> running = entry.flight.compareAndExchange(null, mine);
			Outcome outcome;
			if (running == null) {
				try {
					outcome = fetch(entry, repository);
				}
				catch (MirrorException | RuntimeException | Error ex) {
					entry.flight.set(null);
					mine.completeExceptionally(ex);
					throw ex;
				}
				entry.flight.set(null);
				mine.complete(outcome);
			}
			else {
				outcome = await(running);
			}
			if (check(satisfied)) {
				return outcome;
			}
			if (running == null) {
				break;
			}
		}
		throw new MirrorException(Reason.OBJECTS_MISSING,
				"after a fetch from the upstream, " + what + " still missing from the mirror of " + entry.repositoryId);
	}

	/** Waits (at most {@link #ADOPTION_WAIT}) for announced adoptions of this mirror; true when there were some. */
	private static boolean awaitAdoptions(MirrorEntry entry) throws MirrorException {
		try {
			return entry.awaitAdoptions(ADOPTION_WAIT.toNanos());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new MirrorException(Reason.INTERRUPTED, "interrupted while waiting for a push's adoption", ex);
		}
	}

	private static Outcome await(CompletableFuture<Outcome> running) throws MirrorException {
		try {
			return running.get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new MirrorException(Reason.INTERRUPTED, "interrupted while waiting for a mirror fetch", ex);
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof MirrorException failed) {
				throw new MirrorException(failed.reason(), failed.getMessage(), failed);
			}
			throw new MirrorException(Reason.FETCH_FAILED, "the mirror fetch failed: " + ex.getCause(), ex.getCause());
		}
	}

	private Outcome fetch(MirrorEntry entry, Repository repository) throws MirrorException {
		boolean acquired;
		try {
			acquired = this.fetchSlots.tryAcquire(this.properties.fetchTimeout().toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new MirrorException(Reason.INTERRUPTED, "interrupted while waiting for a fetch slot", ex);
		}
		if (!acquired) {
			throw new MirrorException(Reason.BUSY, "no mirror fetch slot became free within "
					+ this.properties.fetchTimeout() + " (warden.mirror.max-concurrent-updates)");
		}
		try {
			boolean empty = !hasMirroredRefs(repository);
			entry.refLock.lock();
			try {
				long started = System.nanoTime();
				this.fetcher.fetch(repository, entry.repositoryId);
				entry.refsWritten(started);
				this.metrics.fetch(true);
			}
			catch (MirrorException ex) {
				this.metrics.fetch(false);
				logger.warn("Mirror fetch of {} failed: {}", entry.repositoryId, ex.getMessage());
				throw ex;
			}
			finally {
				entry.refLock.unlock();
			}
			return empty ? Outcome.CREATED : Outcome.UPDATED;
		}
		finally {
			this.fetchSlots.release();
			afterWrite(entry);
		}
	}

	private static boolean hasMirroredRefs(Repository repository) throws MirrorException {
		try {
			return !repository.getRefDatabase().getRefsByPrefix(Constants.R_HEADS, Constants.R_TAGS).isEmpty();
		}
		catch (IOException ex) {
			throw storage(ex);
		}
	}

	private static boolean allPresent(Repository repository, Collection<? extends AnyObjectId> ids) throws IOException {
		ObjectDatabase objects = repository.getObjectDatabase();
		for (AnyObjectId id : ids) {
			if (!objects.has(id)) {
				return false;
			}
		}
		return true;
	}

	private static boolean check(Condition condition) throws MirrorException {
		try {
			return condition.holds();
		}
		catch (IOException ex) {
			throw storage(ex);
		}
	}

	private static MirrorException storage(IOException ex) {
		return new MirrorException(Reason.STORAGE, "reading the mirror failed: " + ex.getMessage(), ex);
	}

	/**
	 * Sets the mirror's branches and tags to what the upstream advertised, when it already has the
	 * objects (no fetch), and, for a complete advertisement, deletes those not listed. Only an
	 * advertisement newer than the mirror's last fetch, adoption or such update moves refs (two requests
	 * racing with advertisements of different ages cannot move them back). Skipped while a fetch or an
	 * adoption writes refs (they bring the same news).
	 */
	private void syncRefs(MirrorEntry entry, Repository repository, AdvertisedRefs advertised) {
		if (!entry.refLock.tryLock()) {
			return;
		}
		if (!entry.isNewer(advertised.observedNanos())) {
			entry.refLock.unlock();
			return;
		}
		try (RevWalk walk = new RevWalk(repository)) {
			Map<String, ObjectId> current = new HashMap<>();
			for (Ref ref : repository.getRefDatabase().getRefsByPrefix(Constants.R_HEADS, Constants.R_TAGS)) {
				if (ref.getObjectId() != null && !ref.isSymbolic()) {
					current.put(ref.getName(), ref.getObjectId());
				}
			}
			BatchRefUpdate batch = repository.getRefDatabase()
				.newBatchUpdate()
				.setAllowNonFastForwards(true)
				.setAtomic(false);
			for (Map.Entry<String, ObjectId> ref : advertised.refs().entrySet()) {
				String name = ref.getKey();
				if (!MirrorRefs.isMirrored(name)) {
					continue;
				}
				ObjectId mine = current.get(name);
				if (!ref.getValue().equals(mine)) {
					batch.addCommand(new ReceiveCommand((mine != null) ? mine : ObjectId.zeroId(), ref.getValue(), name));
				}
			}
			if (advertised.complete()) {
				current.forEach((name, id) -> {
					if (!advertised.refs().containsKey(name)) {
						batch.addCommand(new ReceiveCommand(id, ObjectId.zeroId(), name));
					}
				});
			}
			if (!batch.getCommands().isEmpty()) {
				batch.execute(walk, NullProgressMonitor.INSTANCE);
				logger.debug("Mirror of {}: {} refs set from the advertisement", entry.repositoryId,
						batch.getCommands().size());
			}
			entry.refsWritten(advertised.observedNanos());
		}
		catch (IOException | RuntimeException ex) {
			logger.warn("Mirror of {}: refs not updated from the advertisement: {}", entry.repositoryId, ex.toString());
		}
		finally {
			entry.refLock.unlock();
		}
	}

	List<String> adopt(MirrorEntry entry, Repository repository, Path pack, Path index,
			Collection<ReceiveCommand> commands) throws MirrorException {
		PackAdoption.check(commands);
		if ((pack == null) != (index == null)) {
			throw new MirrorException(Reason.INVALID_PACK, "a pack needs its index");
		}
		entry.refLock.lock();
		try {
			entry.refsWritten(System.nanoTime());
			if (pack != null) {
				PackAdoption.addPack(repository, pack, index);
			}
			List<String> kept = PackAdoption.updateRefs(repository, commands, this.clock.instant());
			this.metrics.adoption(true);
			return kept;
		}
		catch (MirrorException ex) {
			this.metrics.adoption(false);
			throw ex;
		}
		finally {
			entry.refLock.unlock();
			afterWrite(entry);
		}
	}

	void release(MirrorEntry entry) {
		entry.release(this.clock.millis(), true);
		evictIfNeeded();
	}

	// ---- disk use and maintenance ----

	private void afterWrite(MirrorEntry entry) {
		entry.remeasure();
		scheduleMaintenance(entry);
		evictIfNeeded();
	}

	private void scheduleMaintenance(MirrorEntry entry) {
		MirrorStore.PackCount packs;
		try {
			packs = MirrorStore.packs(entry.gitDir);
		}
		catch (IOException ex) {
			return;
		}
		boolean needed = packs.packs() > this.properties.gcPackThreshold()
				|| (packs.packs() > 0 && !packs.bitmap() && !entry.gcAttempted);
		if (needed && entry.maintenance.compareAndSet(false, true)) {
			try {
				this.maintenance.execute(() -> collectGarbage(entry));
			}
			catch (RejectedExecutionException ex) {
				entry.maintenance.set(false);
			}
		}
	}

	/**
	 * Repacks one mirror into one pack with a reachability bitmap (JGit GC), in the background. GC works
	 * on a repository instance of its own: the serving instance sees the new pack and the removal of the
	 * old ones the way it would see a {@code git gc} run by another process (it looks for packs again when
	 * a read misses). Old packs are moved to {@code objects/pack/preserved} rather than deleted, and JGit
	 * restores a preserved pack when a read (an upload-pack in flight, a concurrent fetch) misses an
	 * object; the next GC deletes them. The lease keeps the mirror from being evicted meanwhile.
	 */
	private void collectGarbage(MirrorEntry entry) {
		long start = System.nanoTime();
		boolean leased = false;
		try {
			leased = entry.acquire(this.store, this.clock.millis(), false) != null;
			if (!leased) {
				return;
			}
			entry.gcAttempted = true;
			try (Repository repository = new FileRepositoryBuilder().setGitDir(entry.gitDir.toFile())
				.setMustExist(true)
				.build(); Git git = Git.wrap(repository)) {
				git.gc().setPreserveOldPacks(true).setPrunePreserved(true).call();
			}
			this.metrics.gc(true, start);
			logger.debug("Mirror of {} repacked in {} ms", entry.repositoryId, (System.nanoTime() - start) / 1_000_000);
		}
		catch (Exception ex) {
			this.metrics.gc(false, start);
			if (this.maintenance.isShutdown()) {
				logger.debug("Mirror GC of {} stopped at shutdown: {}", entry.repositoryId, ex.toString());
			}
			else {
				logger.warn("Mirror GC of {} failed: {}", entry.repositoryId, ex.toString());
			}
		}
		finally {
			entry.maintenance.set(false);
			if (leased) {
				entry.remeasure();
				entry.release(this.clock.millis(), false);
				evictIfNeeded();
			}
		}
	}

	/** Runs a GC of one mirror now, on the calling thread, unless one is queued or running (for tests). */
	boolean collectGarbageNow(RepositoryId repository) {
		MirrorEntry entry = this.entries.get(repository.canonical());
		if (entry == null || !entry.maintenance.compareAndSet(false, true)) {
			return false;
		}
		collectGarbage(entry);
		return true;
	}

	/** Deletes the least recently used mirrors that are not leased until the total fits max-size. */
	void evictIfNeeded() {
		long max = this.properties.maxSize().toBytes();
		if (diskBytes() <= max) {
			return;
		}
		synchronized (this.evictionLock) {
			List<MirrorEntry> oldestFirst = new ArrayList<>(this.entries.values());
			oldestFirst.sort(Comparator.comparingLong(MirrorEntry::lastUsedMillis));
			for (MirrorEntry entry : oldestFirst) {
				if (diskBytes() <= max) {
					return;
				}
				List<Path> trash = new ArrayList<>();
				try {
					if (entry.evict(this.store, trash::add)) {
						this.entries.remove(entry.repositoryId.canonical(), entry);
						this.metrics.eviction();
						logger.info("Evicted the mirror of {} ({} bytes) to stay under warden.mirror.max-size",
								entry.repositoryId, entry.sizeBytes());
						for (Path path : trash) {
							deleteLater(path);
						}
					}
				}
				catch (IOException | RuntimeException ex) {
					logger.warn("Evicting the mirror of {} failed: {}", entry.repositoryId, ex.toString());
				}
			}
		}
	}

	/** Deletes an evicted mirror, already renamed away, without holding up the request that evicted it. */
	private void deleteLater(Path trash) {
		try {
			this.deletions.execute(() -> {
				try {
					MirrorStore.deleteTree(trash);
				}
				catch (IOException | RuntimeException ex) {
					logger.warn("Deleting {} failed (removed at the next start): {}", trash, ex.toString());
				}
			});
		}
		catch (RejectedExecutionException ex) {
			// shutting down: the next start clears trash.git
		}
	}

	@Override
	public void destroy() throws InterruptedException {
		this.maintenance.shutdownNow();
		this.deletions.shutdown();
		this.maintenance.awaitTermination(30, TimeUnit.SECONDS);
		this.deletions.awaitTermination(30, TimeUnit.SECONDS);
		for (MirrorEntry entry : this.entries.values()) {
			entry.close();
		}
	}

	/** A check that may read the repository. */
	@FunctionalInterface
	private interface Condition {

		boolean holds() throws IOException;

	}

}
