package io.gitwarden.inspect;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.gitwarden.testsupport.GitCli;

import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.ReceiveCommand;

/**
 * A bare repository that stands for the upstream and its mirror, and a clone in which an agent commits.
 * Packs are made the way {@code git send-pack} makes them: {@code git pack-objects --revs --thin} over the
 * new tips, excluding every ref the receiving side advertises (here: every ref of the mirror).
 */
final class PushFixture implements AutoCloseable {

	final GitCli git;

	final Path root;

	final Path mirrorDir;

	final Path work;

	final Repository mirror;

	private PushFixture(GitCli git, Path root, Path mirrorDir, Path work) throws IOException {
		this.git = git;
		this.root = root;
		this.mirrorDir = mirrorDir;
		this.work = work;
		this.mirror = new FileRepositoryBuilder().setGitDir(mirrorDir.toFile()).setMustExist(true).build();
	}

	/** A mirror whose {@code main} has a README and a workflow, and a clone of it. */
	static PushFixture create(Path root) throws IOException {
		GitCli git = new GitCli(root.resolve("home"));
		Path mirrorDir = root.resolve("mirror.git");
		git.run(root, "init", "-q", "--bare", mirrorDir.toString()).assertSuccess();
		Path work = root.resolve("work");
		Files.createDirectories(work);
		git.run(work, "init", "-q", "-b", "main").assertSuccess();
		git.run(work, "remote", "add", "origin", mirrorDir.toString()).assertSuccess();
		PushFixture fixture = new PushFixture(git, root, mirrorDir, work);
		fixture.write("README.md", "# demo\n\nA repository for tests.\n");
		fixture.write(".github/workflows/ci.yml", workflow(40));
		fixture.commit("initial");
		fixture.publish("main");
		return fixture;
	}

	/** A workflow file of {@code steps} steps (big enough for git to send a change as a delta). */
	static String workflow(int steps) {
		StringBuilder sb = new StringBuilder("name: ci\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n");
		for (int i = 0; i < steps; i++) {
			sb.append("      - name: step ").append(i).append("\n        run: echo building part ").append(i)
				.append(" of the project with a reasonably long line\n");
		}
		return sb.toString();
	}

	void write(String path, String content) {
		try {
			Path file = this.work.resolve(path);
			Files.createDirectories(file.getParent());
			Files.writeString(file, content);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	void write(String path, byte[] content) {
		try {
			Path file = this.work.resolve(path);
			Files.createDirectories(file.getParent());
			Files.write(file, content);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	GitCli.Result git(String... args) {
		return this.git.run(this.work, args).assertSuccess();
	}

	/** Stages everything and commits; returns the new commit id. */
	String commit(String message) {
		git("add", "-A");
		git("commit", "-q", "--allow-empty", "-m", message);
		return rev("HEAD");
	}

	String rev(String revision) {
		return git("rev-parse", revision).stdout().trim();
	}

	/** The upstream accepts {@code HEAD} as {@code branch} (and the mirror has it). */
	void publish(String branch) {
		git("push", "-q", "-f", "origin", "HEAD:refs/heads/" + branch);
	}

	/** The ids of every ref of the mirror: what the receive-pack advertisement would list. */
	List<String> advertised() {
		String out = this.git.run(this.mirrorDir, "for-each-ref", "--format=%(objectname)").assertSuccess().stdout();
		return Arrays.stream(out.split("\n")).filter((line) -> !line.isBlank()).distinct().toList();
	}

	/** The pack {@code git push} sends for {@code tips}: thin, excluding what the mirror advertises. */
	byte[] pack(String... tips) {
		return pack(true, tips);
	}

	byte[] pack(boolean thin, String... tips) {
		StringBuilder stdin = new StringBuilder();
		for (String tip : tips) {
			stdin.append(tip).append('\n');
		}
		for (String id : advertised()) {
			stdin.append('^').append(id).append('\n');
		}
		List<String> args = new ArrayList<>(List.of("pack-objects", "--all-progress-implied", "--revs", "--stdout",
				"--delta-base-offset", "-q"));
		if (thin) {
			args.add("--thin");
		}
		return run(this.work, stdin.toString(), args.toArray(new String[0]));
	}

	/** A pack of exactly these objects (no reachability: may carry anything). */
	byte[] packOf(List<String> objectIds) {
		return run(this.work, String.join("\n", objectIds) + "\n", "pack-objects", "--stdout", "-q");
	}

	/** The objects {@code git push} would send for {@code tip} (ids only). */
	List<String> objectsToSend(String tip) {
		List<String> args = new ArrayList<>(List.of("rev-list", "--objects", tip));
		advertised().forEach((id) -> args.add("^" + id));
		String out = git(args.toArray(new String[0])).stdout();
		return Stream.of(out.split("\n")).filter((line) -> !line.isBlank()).map((line) -> line.split(" ")[0]).toList();
	}

	static ReceiveCommand create(String ref, String newId) {
		return new ReceiveCommand(ObjectId.zeroId(), ObjectId.fromString(newId), ref);
	}

	static ReceiveCommand update(String ref, String oldId, String newId) {
		return new ReceiveCommand(ObjectId.fromString(oldId), ObjectId.fromString(newId), ref);
	}

	static ReceiveCommand delete(String ref, String oldId) {
		return new ReceiveCommand(ObjectId.fromString(oldId), ObjectId.zeroId(), ref);
	}

	PushInspection inspect(PushInspector inspector, byte[] pack, ReceiveCommand... commands) {
		InputStream in = (pack != null) ? new ByteArrayInputStream(pack) : null;
		return inspector.inspect(this.mirror, List.of(commands), in);
	}

	/** Quarantine directories left in the mirror. */
	List<Path> quarantines() {
		try (Stream<Path> list = Files.list(this.mirrorDir.resolve("objects"))) {
			return list.filter((path) -> path.getFileName().toString().startsWith(Quarantine.PREFIX)).toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Whether the mirror has an object, asked with the git CLI. */
	boolean mirrorHas(String id) {
		return this.git.run(this.mirrorDir, "cat-file", "-e", id).exitCode() == 0;
	}

	/** Runs git with {@code stdin}, returns its standard output as bytes. */
	byte[] run(Path directory, String stdin, String... args) {
		List<String> command = new ArrayList<>(List.of("git", "-c", "user.name=Agent", "-c", "user.email=agent@example.invalid"));
		command.addAll(List.of(args));
		ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile());
		Map<String, String> env = builder.environment();
		env.keySet().removeIf((name) -> name.startsWith("GIT_"));
		env.put("HOME", this.root.resolve("home").toString());
		env.put("XDG_CONFIG_HOME", this.root.resolve("home/.config").toString());
		env.put("GIT_CONFIG_NOSYSTEM", "1");
		env.put("LC_ALL", "C");
		try {
			Process process = builder.start();
			CompletableFuture<byte[]> stdout = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
			CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
			try (OutputStream in = process.getOutputStream()) {
				in.write(stdin.getBytes(StandardCharsets.UTF_8));
			}
			if (!process.waitFor(5, TimeUnit.MINUTES)) {
				process.destroyForcibly();
				throw new AssertionError("git " + String.join(" ", args) + " did not finish");
			}
			if (process.exitValue() != 0) {
				throw new AssertionError("git " + String.join(" ", args) + " failed: "
						+ new String(stderr.join(), StandardCharsets.UTF_8));
			}
			return stdout.join();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

	private static byte[] readAll(InputStream in) {
		try (in) {
			return in.readAllBytes();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Override
	public void close() {
		this.mirror.close();
	}

}
