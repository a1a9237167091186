package io.gitwarden.mirror;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.gitwarden.protocol.RepositoryId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mirrors on disk: {@code <root>/<owner>/<name>.git}, lower case. A new mirror is made in a
 * temporary directory and renamed into place, and a deleted one is renamed away before it is removed,
 * so a directory at a mirror's path is always a whole repository. {@code tmp.git} and {@code trash.git}
 * under the root can never be an owner's name ({@link RepositoryId} refuses names ending in
 * {@code .git}).
 */
final class MirrorStore {

	private static final Logger logger = LoggerFactory.getLogger(MirrorStore.class);

	static final String TMP = "tmp.git";

	static final String TRASH = "trash.git";

	private static final String GIT_SUFFIX = ".git";

	/** What may stay in {@code objects/pack} after a crash: anything else there is a leftover. */
	private static final Pattern PACK_FILE = Pattern.compile("pack-[0-9a-f]{40,64}\\.(pack|idx|bitmap|rev|mtimes)");

	private final Path root;

	MirrorStore(Path root) {
		this.root = root.toAbsolutePath().normalize();
	}

	Path root() {
		return this.root;
	}

	/** Where the mirror of {@code repository} lives. */
	Path gitDir(RepositoryId repository) {
		String key = repository.canonical();
		int slash = key.indexOf('/');
		return this.root.resolve(key.substring(0, slash)).resolve(key.substring(slash + 1) + GIT_SUFFIX);
	}

	/** True when a whole repository is at {@code gitDir}. */
	static boolean exists(Path gitDir) {
		return Files.isRegularFile(gitDir.resolve("HEAD")) && Files.isDirectory(gitDir.resolve("objects"));
	}

	/**
	 * Opens the mirror at {@code gitDir}, creating an empty one when there is none (or when what is there
	 * is not a repository), and makes sure its configuration is git-warden's.
	 */
	Repository openOrCreate(Path gitDir) throws IOException {
		if (exists(gitDir)) {
			try {
				Repository repository = new FileRepositoryBuilder().setGitDir(gitDir.toFile())
					.setMustExist(true)
					.build();
				configure(repository.getConfig());
				return repository;
			}
			catch (IOException | IllegalArgumentException ex) {
				logger.warn("Mirror {} is unreadable and is made again: {}", gitDir, ex.toString());
				delete(gitDir);
			}
		}
		else if (Files.exists(gitDir)) {
			delete(gitDir);
		}
		Path tmp = this.root.resolve(TMP).resolve(UUID.randomUUID() + GIT_SUFFIX);
		Files.createDirectories(tmp.getParent());
		try (Repository created = FileRepositoryBuilder.create(tmp.toFile())) {
			created.create(true);
			configure(created.getConfig());
		}
		Files.createDirectories(gitDir.getParent());
		move(tmp, gitDir);
		return new FileRepositoryBuilder().setGitDir(gitDir.toFile()).setMustExist(true).build();
	}

	/**
	 * A mirror's settings: protocol v2 towards the upstream, redirects never followed (the credential
	 * must not go to another host), no reflogs (they would keep pruned objects), replaced packs removed by GC
	 * at once (it preserves them for readers in flight), unreachable objects kept loose for an hour (so an
	 * object written just before a GC survives until a ref names it), bitmaps and a commit-graph for serving,
	 * filters allowed and {@code refs/warden/} hidden when serving. Repacking is bounded in memory (one
	 * thread, a 16 MiB delta search window, objects over 16 MiB never delta-compressed) so a GC of a large
	 * mirror fits beside serving in a small heap.
	 */
	static void configure(StoredConfig config) throws IOException {
		String before = config.toText();
		config.setBoolean("core", null, "bare", true);
		config.setBoolean("core", null, "logAllRefUpdates", false);
		config.setBoolean("core", null, "commitGraph", true);
		config.setString("protocol", null, "version", "2");
		config.setString("http", null, "followRedirects", "false");
		config.setInt("gc", null, "auto", 0);
		config.setBoolean("gc", null, "autoDetach", false);
		config.setString("gc", null, "pruneExpire", "1.hour.ago");
		config.setString("gc", null, "prunePackExpire", "now");
		config.setBoolean("gc", null, "writeCommitGraph", true);
		config.setBoolean("pack", null, "buildBitmaps", true);
		config.setInt("pack", null, "threads", 1);
		config.setString("pack", null, "windowMemory", "16m");
		config.setString("pack", null, "deltaCacheSize", "8m");
		config.setString("core", null, "bigFileThreshold", "16m");
		config.setBoolean("uploadpack", null, "allowFilter", true);
		config.setString("uploadpack", null, "hideRefs", MirrorRefs.WARDEN);
		if (!before.equals(config.toText())) {
			config.save();
		}
	}

	/** Removes a mirror: renamed into {@code trash.git} at once, then deleted. Missing is fine. */
	void delete(Path gitDir) throws IOException {
		Path trash = moveToTrash(gitDir);
		if (trash != null) {
			deleteTree(trash);
		}
	}

	/**
	 * Renames a mirror away, so its path is free at once; {@link #deleteTree} removes it later.
	 * @return where it went, or {@code null} when there was nothing
	 */
	Path moveToTrash(Path gitDir) throws IOException {
		Path trash = this.root.resolve(TRASH).resolve(UUID.randomUUID().toString());
		Files.createDirectories(trash.getParent());
		try {
			move(gitDir, trash);
			return trash;
		}
		catch (NoSuchFileException ex) {
			return null;
		}
	}

	/**
	 * Mirrors found on disk, with leftovers of an earlier process cleaned: temporary and trash
	 * directories, stale lock files, and partial packs. Only call this before this process uses the
	 * mirrors (nothing else writes to them).
	 */
	List<Found> scan() throws IOException {
		if (!Files.isDirectory(this.root)) {
			return List.of();
		}
		deleteTree(this.root.resolve(TMP));
		deleteTree(this.root.resolve(TRASH));
		List<Found> found = new ArrayList<>();
		try (DirectoryStream<Path> owners = Files.newDirectoryStream(this.root, Files::isDirectory)) {
			for (Path owner : owners) {
				try (DirectoryStream<Path> names = Files.newDirectoryStream(owner,
						(path) -> path.getFileName().toString().endsWith(GIT_SUFFIX))) {
					for (Path gitDir : names) {
						RepositoryId id = repositoryIdOf(owner, gitDir);
						if (id == null || !id.canonical().equals(id.toString()) || !exists(gitDir)) {
							logger.warn("Removing {} from the mirror directory: not a mirror", gitDir);
							delete(gitDir);
							continue;
						}
						cleanLeftovers(gitDir);
						found.add(new Found(id, gitDir, sizeOf(gitDir),
								Files.getLastModifiedTime(gitDir).toMillis()));
					}
				}
			}
		}
		return found;
	}

	private static RepositoryId repositoryIdOf(Path owner, Path gitDir) {
		String name = gitDir.getFileName().toString();
		try {
			return new RepositoryId(owner.getFileName().toString(),
					name.substring(0, name.length() - GIT_SUFFIX.length()));
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	private static void cleanLeftovers(Path gitDir) throws IOException {
		try (Stream<Path> files = Files.walk(gitDir)) {
			for (Path file : (Iterable<Path>) files::iterator) {
				String name = file.getFileName().toString();
				boolean stale = name.endsWith(".lock") || name.equals("gc.pid");
				if (file.getParent().endsWith(Path.of("objects", "pack")) && Files.isRegularFile(file)) {
					stale = stale || name.endsWith(".keep") || !PACK_FILE.matcher(name).matches();
				}
				if (stale) {
					Files.deleteIfExists(file);
				}
			}
		}
	}

	/** Bytes of the files under {@code gitDir}; files vanishing meanwhile (GC) are skipped. */
	static long sizeOf(Path gitDir) {
		long[] total = { 0 };
		try {
			Files.walkFileTree(gitDir, new SimpleFileVisitor<>() {

				@Override
				public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
					total[0] += attributes.size();
					return FileVisitResult.CONTINUE;
				}

				@Override
				public FileVisitResult visitFileFailed(Path file, IOException ex) {
					return FileVisitResult.CONTINUE;
				}

			});
		}
		catch (NoSuchFileException ex) {
			return 0;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return total[0];
	}

	/** Pack files in {@code objects/pack}, and whether any has a reachability bitmap. */
	static PackCount packs(Path gitDir) throws IOException {
		Path packDir = gitDir.resolve("objects").resolve("pack");
		if (!Files.isDirectory(packDir)) {
			return new PackCount(0, false);
		}
		int packs = 0;
		boolean bitmap = false;
		try (DirectoryStream<Path> files = Files.newDirectoryStream(packDir)) {
			for (Path file : files) {
				String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
				if (name.startsWith("pack-") && name.endsWith(".pack")) {
					packs++;
				}
				else if (name.startsWith("pack-") && name.endsWith(".bitmap")) {
					bitmap = true;
				}
			}
		}
		return new PackCount(packs, bitmap);
	}

	static void move(Path from, Path to) throws IOException {
		try {
			Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (AtomicMoveNotSupportedException ex) {
			Files.move(from, to);
		}
	}

	static void deleteTree(Path path) throws IOException {
		if (!Files.exists(path)) {
			return;
		}
		Files.walkFileTree(path, new SimpleFileVisitor<>() {

			@Override
			public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
				Files.deleteIfExists(file);
				return FileVisitResult.CONTINUE;
			}

			@Override
			public FileVisitResult visitFileFailed(Path file, IOException ex) throws IOException {
				if (ex instanceof NoSuchFileException) {
					return FileVisitResult.CONTINUE;
				}
				throw ex;
			}

			@Override
			public FileVisitResult postVisitDirectory(Path dir, IOException ex) throws IOException {
				Files.deleteIfExists(dir);
				return FileVisitResult.CONTINUE;
			}

		});
	}

	/** A mirror found on disk at startup. */
	record Found(RepositoryId repository, Path gitDir, long sizeBytes, long lastUsedMillis) {

	}

	/** The packs of a mirror. */
	record PackCount(int packs, boolean bitmap) {

	}

}
