package io.gitwarden.cache;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.gitwarden.testsupport.AuditLines;
import io.gitwarden.testsupport.GitCli;
import io.gitwarden.testsupport.TestRepositories;
import io.gitwarden.testsupport.Tokens;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the fetch cache tests share: a scratch directory, the git CLI, upstream repositories shaped like
 * GitHub's (filters allowed), clones and the tips to compare them by.
 */
final class CacheFixture {

	static final JsonMapper JSON = JsonMapper.builder().build();

	final Path scratch;

	final GitCli git;

	final TestRepositories repositories;

	final Path auditFile;

	CacheFixture(String name) {
		try {
			this.scratch = Files.createTempDirectory(name);
			this.git = new GitCli(this.scratch.resolve("home"));
			this.repositories = new TestRepositories(this.git, Files.createDirectories(this.scratch.resolve("repos")),
					this.scratch);
			this.auditFile = this.scratch.resolve("audit/audit.jsonl");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * An upstream repository with three commits on {@code main}, an annotated tag {@code v1} and a branch
	 * {@code feature} one commit ahead of {@code main}; filters and reachable ids in {@code want} allowed,
	 * as on GitHub.
	 */
	Path createUpstream(String repository) {
		Path bare = this.repositories.create(repository, 3);
		this.git.run(bare, "config", "uploadpack.allowFilter", "true").assertSuccess();
		// GitHub advertises allow-reachable-sha1-in-want: a v0/v1 partial clone's lazy fetches need it
		this.git.run(bare, "config", "uploadpack.allowReachableSHA1InWant", "true").assertSuccess();
		Path work = workTree("seed-more");
		this.git.run(work, "clone", "-q", bare.toString(), ".").assertSuccess();
		this.git.run(work, "tag", "-a", "-m", "release", "v1").assertSuccess();
		this.git.run(work, "checkout", "-q", "-b", "feature").assertSuccess();
		write(work.resolve("feature.txt"), "feature\n");
		this.git.run(work, "add", ".").assertSuccess();
		this.git.run(work, "commit", "-q", "-m", "feature").assertSuccess();
		this.git.run(work, "push", "-q", "origin", "v1", "feature").assertSuccess();
		return bare;
	}

	Path workTree(String prefix) {
		try {
			return Files.createTempDirectory(this.scratch, prefix);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	static void write(Path file, String content) {
		try {
			Files.writeString(file, content);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	static String url(int port, String token, String repository) {
		return "http://x:" + token + "@127.0.0.1:" + port + "/" + repository + ".git";
	}

	static String token(String repository) {
		return Tokens.forRepo(repository).sign();
	}

	/** Clones through git-warden with {@code git -c protocol.version=<version> clone -q <options>}. */
	Path clone(int port, String repository, int version, String... options) {
		Path work = workTree("clone").resolve("repo");
		List<String> args = new ArrayList<>(List.of("-c", "protocol.version=" + version, "clone", "-q"));
		args.addAll(List.of(options));
		args.add(url(port, token(repository), repository));
		args.add(work.toString());
		this.git.run(this.scratch, args.toArray(String[]::new)).assertSuccess();
		return work;
	}

	/** A clone straight from the upstream's directory, as the reference. */
	Path directClone(String repository, String... options) {
		Path work = workTree("direct").resolve("repo");
		List<String> args = new ArrayList<>(List.of("clone", "-q", "--no-local"));
		args.addAll(List.of(options));
		args.add(this.repositories.bare(repository).toUri().toString());
		args.add(work.toString());
		this.git.run(this.scratch, args.toArray(String[]::new)).assertSuccess();
		return work;
	}

	/** Remote branches and tags of a clone, with their ids ({@code origin/HEAD} left out). */
	Map<String, String> tips(Path clone) {
		Map<String, String> tips = new TreeMap<>();
		String output = this.git.run(clone, "for-each-ref", "--format=%(objectname) %(refname)", "refs/remotes",
				"refs/tags").assertSuccess().stdout();
		for (String line : output.split("\n")) {
			if (!line.isBlank() && !line.endsWith("/HEAD")) {
				tips.put(line.substring(41), line.substring(0, 40));
			}
		}
		return tips;
	}

	String rev(Path work, String revision) {
		return this.git.run(work, "rev-parse", revision).assertSuccess().stdout().trim();
	}

	void fsck(Path clone) {
		this.git.run(clone, "fsck", "--strict").assertSuccess();
	}

	/** The audit events of fetches ({@code POST git-upload-pack}) of {@code repository}, oldest first. */
	List<JsonNode> fetchEvents(String repository) {
		List<JsonNode> events = new ArrayList<>();
		if (!Files.exists(this.auditFile)) {
			return events;
		}
		try {
			for (String line : AuditLines.read(this.auditFile)) {
				JsonNode event = JSON.readTree(line);
				if ("fetch".equals(event.path("operation").asString(""))
						&& repository.equals(event.path("repo").asString(""))) {
					events.add(event);
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return events;
	}

	/**
	 * The fetch events of {@code repository} that carry a {@code cache} field: every fetch when the cache
	 * is on (a protocol v2 {@code ls-refs} is part of the advertisement and carries none).
	 */
	List<JsonNode> cacheEvents(String repository) {
		return fetchEvents(repository).stream().filter((event) -> event.has("cache")).toList();
	}

	/** The {@code cache} field of each fetch of {@code repository}, oldest first. */
	List<String> cacheResults(String repository) {
		return cacheEvents(repository).stream().map((event) -> event.path("cache").asString()).toList();
	}

}
