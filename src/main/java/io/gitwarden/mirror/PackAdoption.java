package io.gitwarden.mirror;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

import io.gitwarden.mirror.MirrorException.Reason;
import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.BatchRefUpdate;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.ReceiveCommand;

/**
 * Brings an accepted push into a mirror without a fetch: its pack ({@code .pack} + {@code .idx}, as
 * JGit's pack parser wrote them, thin packs completed) goes into {@code objects/pack}, then the refs
 * move. A tip that a push overwrites (a forced update or a deletion) first gets a ref of its own,
 * {@code refs/warden/overwritten/<ref>/<time>-<id>}, so it stays reachable and GC keeps it.
 */
final class PackAdoption {

	private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss.SSS'Z'")
		.withZone(ZoneOffset.UTC);

	private static final int CHECKSUM = 20;

	private static final byte[] PACK_SIGNATURE = { 'P', 'A', 'C', 'K' };

	private PackAdoption() {
	}

	/** Validates what a push asks for before anything is written. */
	static void check(Collection<ReceiveCommand> commands) throws MirrorException {
		for (ReceiveCommand command : commands) {
			String name = command.getRefName();
			if (!Repository.isValidRefName(name) || MirrorRefs.isHidden(name)) {
				throw new MirrorException(Reason.INVALID_PACK, "cannot adopt an update of " + name);
			}
		}
	}

	/**
	 * Moves (or, across file systems, copies) {@code pack} and {@code index} into the mirror. The index
	 * is placed last: JGit and git only use a pack once its index is there.
	 */
	static void addPack(Repository repository, Path pack, Path index) throws MirrorException {
		byte[] checksum = packChecksum(pack, index);
		Path packDir = repository.getDirectory().toPath().resolve("objects").resolve("pack");
		String base = "pack-" + HexFormat.of().formatHex(checksum);
		Path packTarget = packDir.resolve(base + ".pack");
		Path indexTarget = packDir.resolve(base + ".idx");
		try {
			Files.createDirectories(packDir);
			if (Files.exists(indexTarget) && Files.exists(packTarget)) {
				return;
			}
			place(pack, packTarget, packDir);
			place(index, indexTarget, packDir);
		}
		catch (IOException ex) {
			throw new MirrorException(Reason.STORAGE, "could not add the pack to the mirror: " + ex.getMessage(), ex);
		}
	}

	private static void place(Path source, Path target, Path packDir) throws IOException {
		Path tmp = packDir.resolve("adopt_" + UUID.randomUUID() + ".tmp");
		try {
			try {
				Files.move(source, tmp, StandardCopyOption.ATOMIC_MOVE);
			}
			catch (IOException ex) {
				Files.copy(source, tmp, StandardCopyOption.REPLACE_EXISTING);
			}
			try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
				channel.force(true);
			}
			MirrorStore.move(tmp, target);
		}
		finally {
			Files.deleteIfExists(tmp);
		}
	}

	/**
	 * The pack's trailing checksum, after checking that the file is a pack and that the index was written
	 * for it (an index ends with the checksum of its pack, then its own).
	 */
	private static byte[] packChecksum(Path pack, Path index) throws MirrorException {
		try (FileChannel packFile = FileChannel.open(pack, StandardOpenOption.READ);
				FileChannel indexFile = FileChannel.open(index, StandardOpenOption.READ)) {
			byte[] signature = new byte[4];
			if (packFile.size() < 12 + CHECKSUM || indexFile.size() < 2 * CHECKSUM) {
				throw new MirrorException(Reason.INVALID_PACK, "pack or index is too short");
			}
			try (InputStream in = Files.newInputStream(pack)) {
				if (in.readNBytes(signature, 0, 4) != 4 || !Arrays.equals(signature, PACK_SIGNATURE)) {
					throw new MirrorException(Reason.INVALID_PACK, "not a pack file");
				}
			}
			byte[] packTrailer = read(packFile, packFile.size() - CHECKSUM);
			byte[] indexCopy = read(indexFile, indexFile.size() - 2 * CHECKSUM);
			if (!Arrays.equals(packTrailer, indexCopy)) {
				throw new MirrorException(Reason.INVALID_PACK, "the index does not belong to the pack");
			}
			return packTrailer;
		}
		catch (IOException ex) {
			throw new MirrorException(Reason.INVALID_PACK, "cannot read the pack: " + ex.getMessage(), ex);
		}
	}

	private static byte[] read(FileChannel channel, long position) throws IOException {
		ByteBuffer buffer = ByteBuffer.allocate(CHECKSUM);
		while (buffer.hasRemaining()) {
			if (channel.read(buffer, position + buffer.position()) < 0) {
				throw new IOException("unexpected end of file");
			}
		}
		return buffer.array();
	}

	/**
	 * Keeps overwritten tips, then applies the commands (forced, whatever the mirror had).
	 * @return the {@code refs/warden/overwritten/...} refs created
	 */
	static List<String> updateRefs(Repository repository, Collection<ReceiveCommand> commands, Instant now)
			throws MirrorException {
		try (RevWalk walk = new RevWalk(repository)) {
			for (ReceiveCommand command : commands) {
				ObjectId created = command.getNewId();
				if (!created.equals(ObjectId.zeroId()) && !repository.getObjectDatabase().has(created)) {
					throw new MirrorException(Reason.OBJECTS_MISSING, "the mirror lacks " + created.name()
							+ " for " + command.getRefName() + " after adding the pack");
				}
			}
			List<String> kept = new ArrayList<>();
			for (ReceiveCommand command : commands) {
				ObjectId old = command.getOldId();
				if (old.equals(ObjectId.zeroId()) || !repository.getObjectDatabase().has(old)
						|| isAncestor(walk, old, command.getNewId())) {
					continue;
				}
				String name = MirrorRefs.OVERWRITTEN + command.getRefName() + "/" + STAMP.format(now) + "-"
						+ old.abbreviate(12).name();
				RefUpdate update = repository.updateRef(name);
				update.setNewObjectId(old);
				update.setExpectedOldObjectId(ObjectId.zeroId());
				RefUpdate.Result result = update.update(walk);
				if (result != RefUpdate.Result.NEW && result != RefUpdate.Result.NO_CHANGE) {
					throw new MirrorException(Reason.STORAGE, "could not keep " + command.getRefName() + " in " + name
							+ ": " + result);
				}
				kept.add(name);
			}
			BatchRefUpdate batch = repository.getRefDatabase().newBatchUpdate().setAllowNonFastForwards(true)
				.setAtomic(false);
			for (ReceiveCommand command : commands) {
				Ref current = repository.exactRef(command.getRefName());
				ObjectId currentId = (current != null && current.getObjectId() != null) ? current.getObjectId()
						: ObjectId.zeroId();
				if (currentId.equals(command.getNewId())) {
					continue;
				}
				batch.addCommand(new ReceiveCommand(currentId, command.getNewId(), command.getRefName()));
			}
			if (!batch.getCommands().isEmpty()) {
				batch.execute(walk, NullProgressMonitor.INSTANCE);
				for (ReceiveCommand command : batch.getCommands()) {
					if (command.getResult() != ReceiveCommand.Result.OK) {
						throw new MirrorException(Reason.STORAGE, "could not update " + command.getRefName()
								+ " in the mirror: " + command.getResult());
					}
				}
			}
			return kept;
		}
		catch (IOException ex) {
			throw new MirrorException(Reason.STORAGE, "could not update the mirror's refs: " + ex.getMessage(), ex);
		}
	}

	/** True when {@code ancestor} is reachable from {@code tip} (a fast-forward); false for a deletion. */
	static boolean isAncestor(RevWalk walk, ObjectId ancestor, ObjectId tip) throws IOException {
		if (tip.equals(ObjectId.zeroId())) {
			return false;
		}
		if (ancestor.equals(tip)) {
			return true;
		}
		try {
			walk.reset();
			return walk.isMergedInto(walk.parseCommit(ancestor), walk.parseCommit(tip));
		}
		catch (IncorrectObjectTypeException | MissingObjectException ex) {
			return false;
		}
	}

}
