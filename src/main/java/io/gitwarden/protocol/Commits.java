package io.gitwarden.protocol;

import java.io.IOException;

import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.TreeFormatter;

/** Writes commits straight into a (bare) repository, without a working tree. */
public final class Commits {

	private Commits() {
	}

	/**
	 * Creates {@code branch} on a root commit holding one file.
	 * @param branch a full ref name ({@code refs/heads/main}); it must not exist yet
	 * @return the commit
	 * @throws IOException when the objects cannot be written or the branch cannot be created
	 */
	public static ObjectId createBranchWithFile(Repository repository, String branch, String path, byte[] content,
			PersonIdent ident, String message) throws IOException {
		try (ObjectInserter inserter = repository.newObjectInserter()) {
			TreeFormatter tree = new TreeFormatter();
			tree.append(path, FileMode.REGULAR_FILE, inserter.insert(Constants.OBJ_BLOB, content));
			CommitBuilder commit = new CommitBuilder();
			commit.setTreeId(inserter.insert(tree));
			commit.setAuthor(ident);
			commit.setCommitter(ident);
			commit.setMessage(message);
			ObjectId id = inserter.insert(commit);
			inserter.flush();
			RefUpdate update = repository.updateRef(branch);
			update.setNewObjectId(id);
			update.setExpectedOldObjectId(ObjectId.zeroId());
			RefUpdate.Result result = update.update();
			if (result != RefUpdate.Result.NEW) {
				throw new IOException("could not create " + branch + " in " + repository.getDirectory() + ": " + result);
			}
			return id;
		}
	}

}
