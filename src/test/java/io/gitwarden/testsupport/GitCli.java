package io.gitwarden.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code git} command line, isolated from the machine's configuration: its own HOME, no
 * system config, no terminal prompts, a fixed identity.
 */
public final class GitCli {

	private final Path home;

	public GitCli(Path home) {
		this.home = home;
		try {
			Files.createDirectories(home);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** The result of one git command. */
	public record Result(int exitCode, String stdout, String stderr) {

		public Result assertSuccess() {
			if (this.exitCode != 0) {
				throw new AssertionError("git failed (" + this.exitCode + "):\n" + this.stderr + this.stdout);
			}
			return this;
		}

	}

	/** Runs {@code git args...} in {@code directory}. */
	public Result run(Path directory, String... args) {
		return run(directory, Map.of(), args);
	}

	/** Runs {@code git args...} in {@code directory} with extra environment variables. */
	public Result run(Path directory, Map<String, String> environment, String... args) {
		List<String> command = new ArrayList<>();
		command.add("git");
		command.add("-c");
		command.add("user.name=Agent");
		command.add("-c");
		command.add("user.email=agent@example.invalid");
		command.add("-c");
		command.add("init.defaultBranch=main");
		command.addAll(List.of(args));
		ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile());
		Map<String, String> env = builder.environment();
		env.keySet().removeIf((name) -> name.startsWith("GIT_"));
		env.put("HOME", this.home.toString());
		env.put("XDG_CONFIG_HOME", this.home.resolve(".config").toString());
		env.put("GIT_CONFIG_NOSYSTEM", "1");
		env.put("GIT_TERMINAL_PROMPT", "0");
		env.put("GIT_ASKPASS", "/bin/false");
		env.put("LC_ALL", "C");
		env.putAll(environment);
		try {
			Process process = builder.start();
			process.getOutputStream().close();
			CompletableFuture<String> stdout = readAsync(process.getInputStream());
			CompletableFuture<String> stderr = readAsync(process.getErrorStream());
			if (!process.waitFor(5, TimeUnit.MINUTES)) {
				process.destroyForcibly();
				throw new AssertionError("git " + String.join(" ", args) + " did not finish in 5 minutes");
			}
			return new Result(process.exitValue(), stdout.join(), stderr.join());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

	private static CompletableFuture<String> readAsync(InputStream in) {
		return CompletableFuture.supplyAsync(() -> {
			try (in) {
				return new String(in.readAllBytes(), StandardCharsets.UTF_8);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		});
	}

}
