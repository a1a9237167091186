package io.gitwarden.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.TreeFormatter;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/** Creates the {@code demo/hello} repository of the zero-configuration run, once. */
final class DemoRepositories {

	static final String DEMO_REPOSITORY = "demo/hello";

	private DemoRepositories() {
	}

	/** Creates {@code <root>/demo/hello.git} with one commit on {@code main}, unless it exists. */
	static void seed(Path root) throws IOException {
		Path directory = root.resolve("demo").resolve("hello.git");
		if (Files.exists(directory)) {
			return;
		}
		Files.createDirectories(directory.getParent());
		try (Repository repository = FileRepositoryBuilder.create(directory.toFile())) {
			repository.create(true);
			repository.updateRef(Constants.HEAD).link(Constants.R_HEADS + "main");
			try (ObjectInserter inserter = repository.newObjectInserter()) {
				ObjectId readme = inserter.insert(Constants.OBJ_BLOB, ("# hello\n\nA demo repository served by "
						+ "git-warden's embedded upstream.\n").getBytes(StandardCharsets.UTF_8));
				TreeFormatter tree = new TreeFormatter();
				tree.append("README.md", FileMode.REGULAR_FILE, readme);
				CommitBuilder commit = new CommitBuilder();
				PersonIdent author = new PersonIdent("git-warden", "demo@git-warden.invalid");
				commit.setAuthor(author);
				commit.setCommitter(author);
				commit.setMessage("Initial commit\n");
				commit.setTreeId(inserter.insert(tree));
				ObjectId commitId = inserter.insert(commit);
				inserter.flush();
				RefUpdate update = repository.updateRef(Constants.R_HEADS + "main");
				update.setNewObjectId(commitId);
				update.setExpectedOldObjectId(ObjectId.zeroId());
				RefUpdate.Result result = update.update();
				if (result != RefUpdate.Result.NEW) {
					throw new IOException("could not create main in the demo repository: " + result);
				}
			}
		}
	}

}
