package io.gitwarden.inspect;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.errors.TooLargeObjectInPackException;
import org.eclipse.jgit.lib.AnyObjectId;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectChecker;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectIdOwnerMap;
import org.eclipse.jgit.lib.ObjectIdSubclassMap;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevBlob;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevSort;
import org.eclipse.jgit.revwalk.RevTag;
import org.eclipse.jgit.revwalk.RevTree;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.PackParser;
import org.eclipse.jgit.transport.PackedObjectInfo;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

/**
 * One inspection: parse the pack into a quarantine, find the new commits, run the rules. Used once, by
 * one thread.
 * <p>
 * Which objects are new, without walking whole trees: a path counts as changed by a commit when its
 * entry differs from that entry in every parent, and an unchanged subtree is never entered. Everything a
 * new tip reaches is then either met by those diffs (new commits, the subtrees they change, the blobs
 * they add or modify) or equal to an entry of an old parent, hence already in the mirror. So "in the pack,
 * not met by the diffs, not in the mirror" is exactly "in the pack, not reachable from the new tips": the
 * unreferenced objects.
 */
final class InspectionRun {

	private static final Log logger = LogFactory.getLog(InspectionRun.class);

	private static final int UNREFERENCED_SHOWN = 3;

	/** The size in JGit's "Object too large (N bytes)" message (formatted with grouping separators). */
	private static final Pattern OBJECT_SIZE = Pattern.compile("\\(([0-9][0-9,.'\\s\\u00a0\\u202f]{0,30}) bytes\\)");

	private final CompiledPolicy policy;

	private final InspectionLimits limits;

	private final Repository mirror;

	private final List<ReceiveCommand> commands;

	private final long started = System.nanoTime();

	private final List<Finding> findings = new ArrayList<>();

	private int findingCount;

	private final List<CommandInspection> commandInspections = new ArrayList<>();

	/** New commits, the trees the diffs entered, tag objects at the tips. */
	private final ObjectIdSubclassMap<ObjectId> reached = new ObjectIdSubclassMap<>();

	/** Every blob added or modified by a new commit, with where it first appeared. */
	private final ObjectIdOwnerMap<Introduction> introductions = new ObjectIdOwnerMap<>();

	/** The new ones (not in the mirror), in order. */
	private final List<Introduction> newBlobs = new ArrayList<>();

	private Quarantine quarantine;

	private PackParser parser;

	/** Blobs scanned for secrets while the pack streamed in, by id (empty when none). */
	private ObjectIdOwnerMap<ScanningPackTee.Scanned> scannedWhileParsing = new ObjectIdOwnerMap<>();

	/** The objects of the pack (empty without one). */
	private final ObjectIdSubclassMap<PackedObjectInfo> packObjects = new ObjectIdSubclassMap<>();

	private CountingInputStream packInput;

	private int objectsReceived;

	private int commitsInspected;

	private int blobsScanned;

	private long bytesScanned;

	InspectionRun(CompiledPolicy policy, InspectionLimits limits, Repository mirror, List<ReceiveCommand> commands) {
		this.policy = policy;
		this.limits = limits;
		this.mirror = mirror;
		this.commands = List.copyOf(commands);
	}

	PushInspection run(InputStream pack) {
		try {
			InputStream stream = (pack != null) ? openPack(pack) : null;
			if (stream != null) {
				this.quarantine = Quarantine.create(this.mirror);
				parse(stream);
			}
			Repository objects = (this.quarantine != null) ? this.quarantine.repository() : this.mirror;
			try (ObjectReader reader = objects.newObjectReader();
					ObjectReader mirrorReader = this.mirror.newObjectReader()) {
				reader.setStreamFileThreshold(this.limits.streamThreshold());
				checkCommands(reader, mirrorReader);
				walk(reader, mirrorReader);
				checkUnreferenced(mirrorReader);
				checkBlobs(reader);
			}
			return result((this.findingCount == 0) ? PushInspection.Outcome.ALLOWED : PushInspection.Outcome.REFUSED,
					null, List.of());
		}
		catch (MissingObjectException ex) {
			ObjectId id = ex.getObjectId();
			String what = (id != null) ? "object " + id.name() : "an object";
			return failed(PushInspection.Outcome.MISSING_OBJECTS,
					what + " that the push builds on is in neither the mirror nor the pack",
					(id != null) ? List.of(id) : List.of());
		}
		catch (TooLargeObjectInPackException ex) {
			// JGit refuses the object before hashing it: no id, so no path; its size is in the message
			add(new Finding(ContentRule.FILE_TOO_LARGE, null, null, null, 0, Finding.size(this.policy.maxFileSize()),
					sizeIn(ex.getMessage())));
			return failed(PushInspection.Outcome.REFUSED, null, List.of());
		}
		catch (CannotInspectException ex) {
			return failed(PushInspection.Outcome.CANNOT_INSPECT, ex.getMessage(), List.of());
		}
		catch (IOException ex) {
			if (this.packInput != null && this.packInput.exceeded) {
				return failed(PushInspection.Outcome.CANNOT_INSPECT, this.packInput.limitMessage(), List.of());
			}
			logger.debug("Push could not be inspected", ex);
			return failed(PushInspection.Outcome.CANNOT_INSPECT, "the pack could not be read: " + safe(ex.getMessage()),
					List.of());
		}
		catch (RuntimeException ex) {
			logger.warn("Push inspection failed", ex);
			return failed(PushInspection.Outcome.CANNOT_INSPECT, "internal error while inspecting the push", List.of());
		}
	}

	// --- the pack

	/** Reads and checks the pack header; null when the stream is empty (a push without a pack). */
	private InputStream openPack(InputStream in) throws IOException {
		byte[] header = in.readNBytes(12);
		if (header.length == 0) {
			return null;
		}
		if (header.length < 12 || header[0] != 'P' || header[1] != 'A' || header[2] != 'C' || header[3] != 'K') {
			throw new CannotInspectException("the request does not carry a pack");
		}
		long version = uint32(header, 4);
		if (version != 2 && version != 3) {
			throw new CannotInspectException("unsupported pack version " + version);
		}
		long objects = uint32(header, 8);
		if (objects > this.limits.maxObjects()) {
			throw new CannotInspectException(
					"the pack has " + objects + " objects, more than the " + this.limits.maxObjects() + " inspected");
		}
		this.objectsReceived = (int) objects;
		this.packInput = new CountingInputStream(in, header.length, this.limits.maxPackBytes());
		return new SequenceInputStream(new ByteArrayInputStream(header), this.packInput);
	}

	private void parse(InputStream stream) throws IOException {
		// whole blobs are scanned as they stream in; the rest is read back from the quarantine later
		ScanningPackTee tee = this.policy.secretsEnabled()
				? new ScanningPackTee(stream, this.policy.scanner().newSession(), this.policy.maxFileSize()) : null;
		try (ObjectInserter inserter = this.quarantine.repository().newObjectInserter()) {
			PackParser packParser = inserter.newPackParser((tee != null) ? tee : stream);
			packParser.setAllowThin(true);
			// collision checking is on by default: an object the mirror has must be byte for byte the same
			packParser.setObjectChecker(new ObjectChecker().setSafeForMacOS(true));
			packParser.setMaxObjectSizeLimit(this.policy.maxFileSize());
			packParser.setCheckEofAfterPackFooter(true);
			packParser.parse(NullProgressMonitor.INSTANCE);
			inserter.flush();
			this.parser = packParser;
			for (int i = 0; i < packParser.getObjectCount(); i++) {
				this.packObjects.addIfAbsent(packParser.getObject(i));
			}
			if (tee != null) {
				this.scannedWhileParsing = tee.results();
			}
		}
		finally {
			if (tee != null) {
				tee.release();
			}
		}
	}

	// --- commands: fast-forward or not

	private void checkCommands(ObjectReader reader, ObjectReader mirrorReader) throws IOException {
		try (RevWalk revWalk = new RevWalk(reader)) {
			for (ReceiveCommand command : this.commands) {
				ObjectId oldId = command.getOldId();
				ObjectId newId = command.getNewId();
				boolean forced = false;
				if (!isZero(oldId) && !isZero(newId) && !oldId.equals(newId)) {
					if (!mirrorReader.has(oldId)) {
						throw new MissingObjectException(oldId.copy(), "old tip of " + command.getRefName());
					}
					RevObject oldObject = revWalk.peel(revWalk.parseAny(oldId));
					RevObject newObject = revWalk.peel(revWalk.parseAny(newId));
					forced = !(oldObject instanceof RevCommit oldCommit && newObject instanceof RevCommit newCommit
							&& revWalk.isMergedInto(oldCommit, newCommit));
					if (forced && this.policy.denyForcePush()) {
						add(new Finding(ContentRule.NON_FAST_FORWARD, command.getRefName(), newId.copy(), null, 0, null,
								Finding.shortId(oldId)));
					}
				}
				this.commandInspections.add(new CommandInspection(command, forced, forced ? oldId.copy() : null));
			}
		}
	}

	// --- new commits and what they change

	private void walk(ObjectReader reader, ObjectReader mirrorReader) throws IOException {
		try (RevWalk revWalk = new RevWalk(reader); TreeWalk treeWalk = new TreeWalk(reader)) {
			revWalk.sort(RevSort.TOPO);
			revWalk.sort(RevSort.REVERSE, true);
			treeWalk.setFilter(CHANGED_IN_EVERY_PARENT);
			boolean started = false;
			for (ReceiveCommand command : this.commands) {
				if (isZero(command.getNewId())) {
					continue;
				}
				RevObject tip = revWalk.parseAny(command.getNewId());
				while (tip instanceof RevTag tag) {
					this.reached.addIfAbsent(tag.copy());
					tip = tag.getObject();
					revWalk.parseHeaders(tip);
				}
				if (tip instanceof RevCommit commit) {
					revWalk.markStart(commit);
					started = true;
				}
				else if (tip instanceof RevTree tree) {
					diff(treeWalk, null, new RevTree[] { tree }, mirrorReader);
				}
				else if (tip instanceof RevBlob blob) {
					introduce(blob, null, null, mirrorReader);
				}
			}
			if (!started) {
				return;
			}
			// what the upstream has: the refs of the mirror, and the old tips of this push
			for (Ref ref : this.mirror.getRefDatabase().getRefs()) {
				markUninteresting(revWalk, ref.getObjectId());
			}
			for (ReceiveCommand command : this.commands) {
				markUninteresting(revWalk, command.getOldId());
			}
			RevCommit commit;
			while ((commit = revWalk.next()) != null) {
				this.commitsInspected++;
				this.reached.addIfAbsent(commit.copy());
				checkEmail(commit);
				RevTree[] trees = new RevTree[commit.getParentCount() + 1];
				trees[0] = commit.getTree();
				for (int i = 0; i < commit.getParentCount(); i++) {
					RevCommit parent = commit.getParent(i);
					revWalk.parseHeaders(parent);
					trees[i + 1] = parent.getTree();
				}
				this.reached.addIfAbsent(trees[0].copy());
				diff(treeWalk, commit, trees, mirrorReader);
			}
		}
	}

	private static void markUninteresting(RevWalk revWalk, ObjectId id) throws IOException {
		if (id == null || isZero(id)) {
			return;
		}
		try {
			RevObject object = revWalk.peel(revWalk.parseAny(id));
			if (object instanceof RevCommit commit) {
				revWalk.markUninteresting(commit);
			}
		}
		catch (MissingObjectException ex) {
			// a ref of the mirror whose object is gone: its commits count as new, which is only more work
		}
	}

	private void checkEmail(RevCommit commit) {
		if (this.policy.commitEmail() == null) {
			return;
		}
		checkEmail(commit, "author", commit.getAuthorIdent());
		checkEmail(commit, "committer", commit.getCommitterIdent());
	}

	private void checkEmail(RevCommit commit, String role, PersonIdent ident) {
		String email = (ident != null) ? ident.getEmailAddress() : "";
		if (!this.policy.commitEmail().matcher(email).matches()) {
			add(new Finding(ContentRule.COMMIT_EMAIL, null, commit.copy(), null, 0, role, email));
		}
	}

	/**
	 * Walks the entries of {@code trees[0]} that differ from the same entry in every other tree (the
	 * parents), entering only subtrees that differ too.
	 */
	private void diff(TreeWalk treeWalk, RevCommit commit, RevTree[] trees, ObjectReader mirrorReader)
			throws IOException {
		treeWalk.reset(trees);
		treeWalk.setRecursive(false);
		while (treeWalk.next()) {
			int mode = treeWalk.getRawMode(0);
			if (treeWalk.isSubtree()) {
				if (FileMode.TREE.equals(mode)) {
					this.reached.addIfAbsent(treeWalk.getObjectId(0));
				}
				treeWalk.enterSubtree();
				continue;
			}
			String path = treeWalk.getPathString();
			checkProtected(treeWalk, commit, path, mode);
			int type = mode & FileMode.TYPE_MASK;
			if (type == FileMode.TYPE_FILE || type == FileMode.TYPE_SYMLINK) {
				introduce(treeWalk.getObjectId(0), path, commit, mirrorReader);
			}
		}
	}

	private void checkProtected(TreeWalk treeWalk, RevCommit commit, String path, int mode) {
		if (this.policy.protectedPaths().isEmpty()) {
			return;
		}
		PathGlob glob = this.policy.protectedGlob(path);
		String change;
		if (glob != null) {
			change = changeKind(treeWalk, mode);
		}
		else {
			int type = mode & FileMode.TYPE_MASK;
			if (type != FileMode.TYPE_SYMLINK && type != FileMode.TYPE_GITLINK) {
				return;
			}
			// a link or submodule where protected paths could be: .github -> elsewhere
			glob = this.policy.protectedGlobBelow(path);
			if (glob == null) {
				return;
			}
			change = (type == FileMode.TYPE_SYMLINK) ? "added as a symbolic link" : "added as a submodule";
		}
		add(new Finding(ContentRule.PROTECTED_PATH, null, (commit != null) ? commit.copy() : null, path, 0,
				glob.pattern(), change));
	}

	private static String changeKind(TreeWalk treeWalk, int mode) {
		if (mode == 0) {
			return "deleted";
		}
		int parents = treeWalk.getTreeCount() - 1;
		boolean inAnyParent = false;
		for (int i = 1; i <= parents; i++) {
			if (treeWalk.getRawMode(i) != 0) {
				inAnyParent = true;
				if (treeWalk.idEqual(0, i)) {
					return "mode changed";
				}
			}
		}
		return inAnyParent ? "modified" : "added";
	}

	private void introduce(AnyObjectId blob, String path, RevCommit commit, ObjectReader mirrorReader)
			throws IOException {
		Introduction known = this.introductions.get(blob);
		boolean exempt = this.policy.secretExempt(path);
		if (known == null) {
			Introduction introduction = new Introduction(blob, path, (commit != null) ? commit.copy() : null, exempt);
			this.introductions.add(introduction);
			// what the push carries is new; anything else must be in the mirror (a cheap lookup that hits)
			if (this.packObjects.contains(blob) || !mirrorReader.has(blob)) {
				this.newBlobs.add(introduction);
			}
		}
		else if (known.exempt && !exempt) {
			// the same content also appears where it is scanned: report it there
			known.path = path;
			known.commit = (commit != null) ? commit.copy() : null;
			known.exempt = false;
		}
	}

	// --- unreferenced objects

	private void checkUnreferenced(ObjectReader mirrorReader) throws IOException {
		if (this.parser == null) {
			return;
		}
		int count = 0;
		List<String> shown = new ArrayList<>();
		for (int i = 0; i < this.parser.getObjectCount(); i++) {
			PackedObjectInfo object = this.parser.getObject(i);
			if (this.reached.contains(object) || this.introductions.contains(object) || mirrorReader.has(object)) {
				continue;
			}
			count++;
			if (shown.size() < UNREFERENCED_SHOWN) {
				shown.add(typeName(object.getType()) + " " + Finding.shortId(object));
			}
		}
		if (count > 0) {
			String detail = count + ((count == 1) ? " object" : " objects")
					+ " in the pack not reachable from the pushed refs (" + String.join(", ", shown)
					+ ((count > shown.size()) ? ", ..." : "") + ")";
			add(new Finding(ContentRule.UNREFERENCED_OBJECTS, null, null, null, 0, null, detail));
		}
	}

	private static String typeName(int type) {
		return switch (type) {
			case Constants.OBJ_COMMIT -> "commit";
			case Constants.OBJ_TREE -> "tree";
			case Constants.OBJ_BLOB -> "blob";
			case Constants.OBJ_TAG -> "tag";
			default -> "object";
		};
	}

	// --- new blobs: size and secrets

	private void checkBlobs(ObjectReader reader) throws IOException {
		SecretScanner.Session session = null;
		for (Introduction blob : this.newBlobs) {
			long size = reader.getObjectSize(blob, Constants.OBJ_BLOB);
			if (size > this.policy.maxFileSize()) {
				add(new Finding(ContentRule.FILE_TOO_LARGE, null, blob.commit, blob.path, 0,
						Finding.size(this.policy.maxFileSize()), Finding.size(size)));
				continue;
			}
			if (!this.policy.secretsEnabled() || blob.exempt) {
				continue;
			}
			if (this.bytesScanned + size > this.limits.maxScanBytes()) {
				throw new CannotInspectException("the push adds more than " + Finding.size(this.limits.maxScanBytes())
						+ " of content to scan for secrets");
			}
			List<SecretScanner.Match> matches;
			ScanningPackTee.Scanned early = this.scannedWhileParsing.get(blob);
			if (early != null) {
				matches = early.matches;
				this.bytesScanned += size;
			}
			else {
				if (session == null) {
					session = this.policy.scanner().newSession();
				}
				ObjectLoader loader = reader.open(blob, Constants.OBJ_BLOB);
				SecretScanner.Scan scan;
				try (InputStream in = loader.openStream()) {
					scan = session.scan(in, size);
				}
				matches = scan.matches();
				this.bytesScanned += scan.bytes();
			}
			this.blobsScanned++;
			for (SecretScanner.Match match : matches) {
				add(new Finding(ContentRule.SECRET_DETECTED, null, blob.commit, blob.path, match.line(), match.rule(),
						match.start()));
			}
		}
	}

	// --- results

	private void add(Finding finding) {
		this.findingCount++;
		if (this.findings.size() < this.limits.maxFindings()) {
			this.findings.add(finding);
		}
	}

	private PushInspection result(PushInspection.Outcome outcome, String reason, List<ObjectId> missing) {
		ObjectId probe = (outcome == PushInspection.Outcome.ALLOWED) ? probe() : null;
		InspectionStats stats = new InspectionStats(this.commitsInspected, this.blobsScanned, this.bytesScanned,
				this.objectsReceived, (this.packInput != null) ? this.packInput.count : 0,
				(System.nanoTime() - this.started) / 1_000_000);
		return new PushInspection(outcome, this.findings, this.findingCount, this.commandInspections, stats, reason,
				missing, this.mirror, this.quarantine, probe);
	}

	/**
	 * A pushed tip that the pack carries: promoting looks it up in the mirror, which makes the mirror
	 * rescan its packs and proves that it sees the new one.
	 */
	private ObjectId probe() {
		if (this.quarantine == null) {
			return null;
		}
		for (ReceiveCommand command : this.commands) {
			if (this.packObjects.contains(command.getNewId())) {
				return command.getNewId().copy();
			}
		}
		return null;
	}

	/** A result without a quarantine: deleted now, nothing of it may be promoted. */
	private PushInspection failed(PushInspection.Outcome outcome, String reason, List<ObjectId> missing) {
		if (this.quarantine != null) {
			this.quarantine.close();
			this.quarantine = null;
		}
		this.parser = null;
		return result(outcome, reason, missing);
	}

	private static String sizeIn(String message) {
		Matcher size = OBJECT_SIZE.matcher(String.valueOf(message));
		if (!size.find()) {
			return null;
		}
		String digits = size.group(1).replaceAll("[^0-9]", "");
		return (digits.length() <= 18) ? Finding.size(Long.parseLong(digits)) : null;
	}

	/** An exception message without the server's paths. */
	private String safe(String message) {
		if (message == null) {
			return "unknown error";
		}
		String text = message;
		if (this.mirror.getDirectory() != null) {
			text = text.replace(this.mirror.getDirectory().getAbsolutePath(), "<mirror>");
		}
		return Finding.shown(text);
	}

	private static boolean isZero(ObjectId id) {
		return id == null || ObjectId.zeroId().equals(id);
	}

	private static long uint32(byte[] bytes, int offset) {
		return ((bytes[offset] & 0xffL) << 24) | ((bytes[offset + 1] & 0xffL) << 16) | ((bytes[offset + 2] & 0xffL) << 8)
				| (bytes[offset + 3] & 0xffL);
	}

	/** Includes an entry when it differs from the same entry in every other tree. */
	static final TreeFilter CHANGED_IN_EVERY_PARENT = new TreeFilter() {

		@Override
		public boolean include(TreeWalk walker) {
			int trees = walker.getTreeCount();
			int mode = walker.getRawMode(0);
			for (int i = 1; i < trees; i++) {
				if (walker.getRawMode(i) == mode && walker.idEqual(0, i)) {
					return false;
				}
			}
			return true;
		}

		@Override
		public boolean shouldBeRecursive() {
			return false;
		}

		@Override
		public TreeFilter clone() {
			return this;
		}

		@Override
		public String toString() {
			return "CHANGED_IN_EVERY_PARENT";
		}

	};

	/** A blob added or modified by a new commit, where it was first seen (preferring scanned paths). */
	static final class Introduction extends ObjectIdOwnerMap.Entry {

		String path;

		ObjectId commit;

		boolean exempt;

		Introduction(AnyObjectId id, String path, ObjectId commit, boolean exempt) {
			super(id);
			this.path = path;
			this.commit = commit;
			this.exempt = exempt;
		}

	}

	/** A reason, safe to show, why the push cannot be inspected. */
	static final class CannotInspectException extends IOException {

		private static final long serialVersionUID = 1L;

		CannotInspectException(String message) {
			super(message);
		}

	}

	/** Counts the pack's bytes and stops at the limit. */
	static final class CountingInputStream extends FilterInputStream {

		long count;

		private final long max;

		boolean exceeded;

		CountingInputStream(InputStream in, long alreadyRead, long max) {
			super(in);
			this.count = alreadyRead;
			this.max = max;
		}

		String limitMessage() {
			return "the pack is larger than " + Finding.size(this.max);
		}

		@Override
		public int read() throws IOException {
			int b = super.read();
			if (b >= 0) {
				counted(1);
			}
			return b;
		}

		@Override
		public int read(byte[] buffer, int offset, int length) throws IOException {
			int n = super.read(buffer, offset, length);
			if (n > 0) {
				counted(n);
			}
			return n;
		}

		@Override
		public long skip(long n) throws IOException {
			long skipped = super.skip(n);
			counted(skipped);
			return skipped;
		}

		private void counted(long n) throws IOException {
			this.count += n;
			if (this.count > this.max) {
				this.exceeded = true;
				throw new CannotInspectException(limitMessage());
			}
		}

		@Override
		public void close() {
			// the caller owns the stream
		}

	}

}
