package io.gitwarden.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import io.gitwarden.protocol.Commits;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
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
			Commits.createBranchWithFile(repository, Constants.R_HEADS + "main", "README.md",
					"# hello\n\nA demo repository served by git-warden's embedded upstream.\n".getBytes(StandardCharsets.UTF_8),
					new PersonIdent("git-warden", "demo@git-warden.invalid"), "Initial commit\n");
		}
	}

}
