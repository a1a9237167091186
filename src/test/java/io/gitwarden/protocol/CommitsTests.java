package io.gitwarden.protocol;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

class CommitsTests {

	private static final PersonIdent IDENT = new PersonIdent("tester", "tester@example.invalid");

	@TempDir
	Path tmp;

	@Test
	void createsABranchOnARootCommitWithOneFile() throws IOException {
		try (Repository repository = FileRepositoryBuilder.create(this.tmp.resolve("r.git").toFile())) {
			repository.create(true);
			ObjectId id = Commits.createBranchWithFile(repository, "refs/heads/main", "README",
					"hi\n".getBytes(StandardCharsets.UTF_8), IDENT, "first\n");
			assertThat(repository.exactRef("refs/heads/main").getObjectId()).isEqualTo(id);
			try (RevWalk walk = new RevWalk(repository)) {
				RevCommit commit = walk.parseCommit(id);
				assertThat(commit.getParentCount()).isZero();
				assertThat(commit.getFullMessage()).isEqualTo("first\n");
				try (TreeWalk tree = TreeWalk.forPath(repository, "README", commit.getTree())) {
					assertThat(repository.open(tree.getObjectId(0)).getBytes()).asString(StandardCharsets.UTF_8)
						.isEqualTo("hi\n");
				}
			}
		}
	}

	@Test
	void anExistingBranchIsNotMoved() throws IOException {
		try (Repository repository = FileRepositoryBuilder.create(this.tmp.resolve("r.git").toFile())) {
			repository.create(true);
			ObjectId first = Commits.createBranchWithFile(repository, "refs/heads/main", "a", new byte[] { 1 }, IDENT,
					"one\n");
			assertThatIOException()
				.isThrownBy(() -> Commits.createBranchWithFile(repository, "refs/heads/main", "b", new byte[] { 2 },
						IDENT, "two\n"))
				.withMessageContaining("could not create refs/heads/main");
			assertThat(repository.exactRef("refs/heads/main").getObjectId()).isEqualTo(first);
		}
	}

}
