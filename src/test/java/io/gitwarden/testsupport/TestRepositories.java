package io.gitwarden.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Bare upstream repositories made with the real git CLI. */
public final class TestRepositories {

	private final GitCli git;

	private final Path root;

	private final Path scratch;

	public TestRepositories(GitCli git, Path root, Path scratch) {
		this.git = git;
		this.root = root;
		this.scratch = scratch;
	}

	public Path root() {
		return this.root;
	}

	/** Creates {@code <root>/<owner>/<name>.git} with {@code commits} commits on {@code main}. */
	public Path create(String repository, int commits) {
		try {
			Path bare = bare(repository);
			Files.createDirectories(bare.getParent());
			this.git.run(this.root, "init", "-q", "--bare", bare.toString()).assertSuccess();
			this.git.run(bare, "config", "http.receivepack", "true").assertSuccess();
			this.git.run(bare, "config", "receive.advertisePushOptions", "true").assertSuccess();
			Path work = Files.createTempDirectory(this.scratch, "seed");
			this.git.run(work, "init", "-q", "-b", "main").assertSuccess();
			for (int i = 1; i <= commits; i++) {
				Files.writeString(work.resolve("file-" + i + ".txt"), "content " + i + "\n");
				this.git.run(work, "add", ".").assertSuccess();
				this.git.run(work, "commit", "-q", "-m", "commit " + i).assertSuccess();
			}
			this.git.run(work, "push", "-q", bare.toString(), "main").assertSuccess();
			return bare;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Adds a commit to {@code branch} of the upstream directly (the upstream "moves"). */
	public void advance(String repository, String branch, String file) {
		try {
			Path work = Files.createTempDirectory(this.scratch, "advance");
			this.git.run(work, "clone", "-q", "-b", branch, bare(repository).toString(), ".").assertSuccess();
			Files.writeString(work.resolve(file), "moved upstream\n");
			this.git.run(work, "add", ".").assertSuccess();
			this.git.run(work, "commit", "-q", "-m", "upstream moved").assertSuccess();
			this.git.run(work, "push", "-q", "origin", branch).assertSuccess();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** The object id {@code ref} points to upstream, or {@code null} when it does not exist. */
	public String resolve(String repository, String ref) {
		GitCli.Result result = this.git.run(bare(repository), "rev-parse", "--verify", "-q", ref);
		return (result.exitCode() == 0) ? result.stdout().trim() : null;
	}

	/** All refs upstream, {@code <id> <name>} per line. */
	public String refs(String repository) {
		return this.git.run(bare(repository), "for-each-ref", "--format=%(objectname) %(refname)").stdout();
	}

	public Path bare(String repository) {
		return this.root.resolve(repository + ".git");
	}

}
