package io.gitwarden.inspect;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.eclipse.jgit.lib.AnyObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.util.FileUtils;

/**
 * A temporary object directory for one push, {@code <mirror>/objects/warden-incoming-XXXX}, whose
 * alternate is the mirror's object directory: the pushed pack is indexed here, thin-pack deltas resolve
 * against the mirror's objects, and walks see mirror and pack together, yet nothing enters the mirror
 * until {@link #promote(AnyObjectId, Repository)}. It lives inside the mirror so that promoting is a rename on one
 * file system. Like git's own receive quarantine ({@code tmp_objdir-incoming-*}).
 * <p>
 * JGit opens the alternate through {@link org.eclipse.jgit.lib.RepositoryCache} (the mirror's directory
 * is a git repository), so the mirror's pack indexes are loaded once and shared by every push, and by the
 * mirror's own {@link Repository} if it was opened through that cache too.
 */
final class Quarantine implements AutoCloseable {

	static final String PREFIX = "warden-incoming-";

	/** Quarantines older than this are left over from a crash and deleted by the next push. */
	private static final Duration STALE = Duration.ofHours(24);

	/** How often one mirror is swept for stale quarantines. */
	private static final Duration SWEEP_EVERY = Duration.ofHours(1);

	private static final Map<Path, Instant> lastSweep = new ConcurrentHashMap<>();

	private static final Log logger = LogFactory.getLog(Quarantine.class);

	private final Path mirrorObjects;

	private final Path directory;

	private final Repository repository;

	private boolean closed;

	private boolean repositoryClosed;

	private Quarantine(Path mirrorObjects, Path directory, Repository repository) {
		this.mirrorObjects = mirrorObjects;
		this.directory = directory;
		this.repository = repository;
	}

	static Quarantine create(Repository mirror) throws IOException {
		Path objects = objectsDirectory(mirror);
		sweepStale(objects);
		Path directory = Files.createTempDirectory(objects, PREFIX);
		try {
			Files.createDirectory(directory.resolve("pack"));
			Repository repository = new FileRepositoryBuilder().setGitDir(directory.toFile())
				.setObjectDirectory(directory.toFile())
				.addAlternateObjectDirectory(objects.toFile())
				.setBare()
				.build();
			return new Quarantine(objects, directory, repository);
		}
		catch (IOException | RuntimeException ex) {
			delete(directory);
			throw ex;
		}
	}

	static Path objectsDirectory(Repository mirror) throws IOException {
		File gitDir = mirror.getDirectory();
		if (gitDir == null) {
			throw new IllegalArgumentException("the mirror must be a repository on disk");
		}
		Path objects = gitDir.toPath().resolve("objects");
		if (!Files.isDirectory(objects)) {
			throw new IOException("the mirror has no objects directory");
		}
		return objects;
	}

	/** The pack and the mirror together (read), the pack only (write). */
	Repository repository() {
		return this.repository;
	}

	Path directory() {
		return this.directory;
	}

	/**
	 * Moves the pushed pack into the mirror's {@code objects/pack} ({@code .pack} first, {@code .idx}
	 * last, as git does, so that no reader sees an index without its pack) and makes the mirror's object
	 * database look at it, then deletes the quarantine.
	 * @param probe an object of the pack the mirror did not have, looked up in the mirror to make it rescan its packs (and to
	 * check that it did); {@code null} when the pack was empty
	 */
	void promote(AnyObjectId probe, Repository mirror) throws IOException {
		if (this.closed) {
			throw new IllegalStateException("the quarantine is gone");
		}
		closeRepository();
		Path target = this.mirrorObjects.resolve("pack");
		Files.createDirectories(target);
		List<Path> files = new ArrayList<>();
		try (DirectoryStream<Path> stream = Files.newDirectoryStream(this.directory.resolve("pack"))) {
			stream.forEach(files::add);
		}
		files.sort(Comparator.comparingInt(Quarantine::moveOrder).thenComparing(Path::toString));
		for (Path file : files) {
			if (file.getFileName().toString().startsWith("incoming_")) {
				continue; // a temporary file of an aborted parse
			}
			Path destination = target.resolve(file.getFileName());
			if (Files.exists(destination)) {
				continue; // the same pack (its name is its content) is there already
			}
			Files.move(file, destination, StandardCopyOption.ATOMIC_MOVE);
		}
		if (probe != null && !mirror.getObjectDatabase().has(probe)) {
			throw new IOException("the mirror does not see the promoted pack");
		}
		close();
	}

	private static int moveOrder(Path file) {
		String name = file.getFileName().toString();
		if (name.endsWith(".pack")) {
			return 0;
		}
		return name.endsWith(".idx") ? 2 : 1;
	}

	/** Deletes the quarantine and everything in it (idempotent). */
	@Override
	public void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		closeRepository();
		delete(this.directory);
	}

	/** Closes the quarantine's object database, and with it its hold on the mirror's (the alternate). */
	private void closeRepository() {
		if (!this.repositoryClosed) {
			this.repositoryClosed = true;
			this.repository.close();
		}
	}

	private static void delete(Path directory) {
		try {
			FileUtils.delete(directory.toFile(), FileUtils.RECURSIVE | FileUtils.SKIP_MISSING | FileUtils.RETRY);
		}
		catch (IOException ex) {
			logger.warn("Could not delete quarantine " + directory + ": " + ex.getMessage());
		}
	}

	private static void sweepStale(Path objects) {
		Instant now = Instant.now();
		Instant last = lastSweep.get(objects);
		if (last != null && last.isAfter(now.minus(SWEEP_EVERY))) {
			return;
		}
		if (lastSweep.size() > 10_000) {
			lastSweep.clear();
		}
		lastSweep.put(objects, now);
		Instant before = now.minus(STALE);
		try (DirectoryStream<Path> stream = Files.newDirectoryStream(objects,
				(path) -> path.getFileName().toString().startsWith(PREFIX))) {
			for (Path stale : stream) {
				if (Files.getLastModifiedTime(stale).toInstant().isBefore(before)) {
					delete(stale);
				}
			}
		}
		catch (IOException ex) {
			logger.debug("Could not sweep stale quarantines in " + objects, ex);
		}
	}

}
