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
 * Runs the real {@code gh} command line against a GitHub Enterprise Server host, hermetically: its own
 * config, cache (gh caches some answers for a day in its temporary directory) and home, no prompts, no
 * colour, no update check, and the environment given (host, token, proxy, CA certificate).
 */
public final class GhCli {

	private final Path home;

	private final Map<String, String> environment;

	public GhCli(Path home, Map<String, String> environment) {
		this.home = home;
		this.environment = Map.copyOf(environment);
		try {
			Files.createDirectories(home.resolve("tmp"));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** The result of one gh command. */
	public record Result(int exitCode, String stdout, String stderr) {

		/** Both streams, for assertions on what gh printed wherever it printed it. */
		public String output() {
			return this.stdout + this.stderr;
		}

		public Result assertSuccess() {
			if (this.exitCode != 0) {
				throw new AssertionError("gh failed (" + this.exitCode + "):\n" + this.stderr + this.stdout);
			}
			return this;
		}

	}

	/** Runs {@code gh args...} in {@code directory}. */
	public Result run(Path directory, String... args) {
		List<String> command = new ArrayList<>();
		command.add("gh");
		command.addAll(List.of(args));
		ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile());
		Map<String, String> env = builder.environment();
		env.keySet().removeIf((name) -> name.startsWith("GIT_") || name.startsWith("GH_") || name.startsWith("GITHUB_")
				|| name.equalsIgnoreCase("https_proxy") || name.equalsIgnoreCase("http_proxy")
				|| name.equalsIgnoreCase("no_proxy") || name.equalsIgnoreCase("all_proxy"));
		env.put("HOME", this.home.toString());
		env.put("XDG_CONFIG_HOME", this.home.resolve(".config").toString());
		env.put("XDG_CACHE_HOME", this.home.resolve(".cache").toString());
		env.put("XDG_STATE_HOME", this.home.resolve(".state").toString());
		env.put("XDG_DATA_HOME", this.home.resolve(".data").toString());
		env.put("TMPDIR", this.home.resolve("tmp").toString());
		env.put("GH_CONFIG_DIR", this.home.resolve("gh").toString());
		env.put("GH_PROMPT_DISABLED", "1");
		env.put("GH_NO_UPDATE_NOTIFIER", "1");
		env.put("NO_COLOR", "1");
		env.put("GIT_CONFIG_NOSYSTEM", "1");
		env.put("GIT_TERMINAL_PROMPT", "0");
		env.put("LC_ALL", "C");
		env.putAll(this.environment);
		try {
			Process process = builder.start();
			process.getOutputStream().close();
			CompletableFuture<String> stdout = readAsync(process.getInputStream());
			CompletableFuture<String> stderr = readAsync(process.getErrorStream());
			if (!process.waitFor(2, TimeUnit.MINUTES)) {
				process.destroyForcibly();
				throw new AssertionError("gh " + String.join(" ", args) + " did not finish in 2 minutes");
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
