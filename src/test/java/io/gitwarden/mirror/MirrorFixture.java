package io.gitwarden.mirror;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import io.gitwarden.config.MutableClock;
import io.gitwarden.policy.Permission;
import io.gitwarden.protocol.RepositoryId;
import io.gitwarden.testsupport.Eventually;
import io.gitwarden.testsupport.GitCli;
import io.gitwarden.testsupport.GitHttpBackendServer;
import io.gitwarden.testsupport.TestRepositories;
import io.gitwarden.upstream.StaticTokenCredentials;
import io.gitwarden.upstream.UpstreamCredentials;
import io.gitwarden.upstream.UpstreamTarget;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.transport.PacketLineOut;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real upstream ({@code git http-backend}, counting the requests that reach it) with bare repositories
 * made by the git CLI, and mirrors of them.
 */
final class MirrorFixture implements AutoCloseable {

	static final String TOKEN = "ghs_mirror-fixture-token-0123456789";

	final Path root;

	final GitCli git;

	final TestRepositories repositories;

	final GitHttpBackendServer upstream;

	final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

	final SwitchableCredentials credentials = new SwitchableCredentials();

	private final HttpClient http = HttpClient.newHttpClient();

	private MirrorFixture(Path root, GitCli git, TestRepositories repositories, GitHttpBackendServer upstream) {
		this.root = root;
		this.git = git;
		this.repositories = repositories;
		this.upstream = upstream;
	}

	static MirrorFixture create(Path root) throws IOException {
		GitCli git = new GitCli(root.resolve("home"));
		Files.createDirectories(root.resolve("scratch"));
		TestRepositories repositories = new TestRepositories(git, root.resolve("upstream"), root.resolve("scratch"));
		Files.createDirectories(repositories.root());
		GitHttpBackendServer upstream = GitHttpBackendServer.start(repositories.root(), TOKEN);
		return new MirrorFixture(root, git, repositories, upstream);
	}

	/** Creates an upstream repository that allows filters and any object id in wants (like GitHub). */
	Path createUpstream(String repository, int commits) {
		Path bare = this.repositories.create(repository, commits);
		this.git.run(bare, "config", "uploadpack.allowFilter", "true").assertSuccess();
		this.git.run(bare, "config", "uploadpack.allowAnySHA1InWant", "true").assertSuccess();
		return bare;
	}

	MirrorProperties properties(DataSize maxSize) {
		return new MirrorProperties(this.root.resolve("mirrors"), maxSize, Duration.ofSeconds(30), 4, 10, 100_000, false);
	}

	RepositoryMirrors mirrors() {
		return mirrors(DataSize.ofGigabytes(1));
	}

	RepositoryMirrors mirrors(DataSize maxSize) {
		return mirrors(properties(maxSize), this.upstream.baseUrl());
	}

	RepositoryMirrors mirrors(MirrorProperties properties, URI upstreamUrl) {
		return new RepositoryMirrors(properties, new UpstreamTarget(upstreamUrl, this.credentials), this.registry,
				this.clock);
	}

	/** The upstream's {@code info/refs} for upload-pack (v0), read through a tap. */
	AdvertisedRefs advertise(String repository) throws IOException, InterruptedException {
		return advertise(repository, "git-upload-pack");
	}

	AdvertisedRefs advertise(String repository, String service) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest
			.newBuilder(URI.create(this.upstream.baseUrl() + "/" + repository + ".git/info/refs?service=" + service))
			.header("Authorization", StaticTokenCredentials.basic(TOKEN))
			.build();
		HttpResponse<InputStream> response = this.http.send(request, HttpResponse.BodyHandlers.ofInputStream());
		assertThat(response.statusCode()).isEqualTo(200);
		RefAdvertisementTap tap = RefAdvertisementTap.forInfoRefs(100_000);
		try (InputStream body = response.body(); tap) {
			body.transferTo(tap);
		}
		assertThat(tap.status()).isEqualTo(RefAdvertisementTap.Status.COMPLETE);
		return tap.refs().orElseThrow();
	}

	/** The raw body of a protocol v2 {@code ls-refs} answer of the upstream. */
	byte[] lsRefsResponse(String repository, String... prefixes) throws IOException, InterruptedException {
		java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
		PacketLineOut out = new PacketLineOut(body);
		out.writeString("command=ls-refs\n");
		out.writeString("agent=git/2.39\n");
		out.writeDelim();
		out.writeString("peel\n");
		out.writeString("symrefs\n");
		for (String prefix : prefixes) {
			out.writeString("ref-prefix " + prefix + "\n");
		}
		out.end();
		HttpRequest request = HttpRequest
			.newBuilder(URI.create(this.upstream.baseUrl() + "/" + repository + ".git/git-upload-pack"))
			.header("Authorization", StaticTokenCredentials.basic(TOKEN))
			.header("Git-Protocol", "version=2")
			.header("Content-Type", "application/x-git-upload-pack-request")
			.POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
			.build();
		HttpResponse<byte[]> response = this.http.send(request, HttpResponse.BodyHandlers.ofByteArray());
		assertThat(response.statusCode()).isEqualTo(200);
		return response.body();
	}

	/** The upstream's branches and tags, name to id. */
	Map<String, ObjectId> upstreamRefs(String repository) {
		return refs(this.repositories.bare(repository));
	}

	/** Branches, tags and any other refs of a local repository, name to id. */
	Map<String, ObjectId> refs(Path gitDir) {
		Map<String, ObjectId> refs = new HashMap<>();
		String output = this.git.run(gitDir, "for-each-ref", "--format=%(objectname) %(refname)").assertSuccess().stdout();
		for (String line : output.split("\n")) {
			if (!line.isBlank()) {
				refs.put(line.substring(41), ObjectId.fromString(line.substring(0, 40)));
			}
		}
		return refs;
	}

	double counter(String name, String... tags) {
		var counter = this.registry.find(name).tags(tags).counter();
		return (counter != null) ? counter.count() : 0;
	}

	long timerCount(String name, String... tags) {
		var timer = this.registry.find(name).tags(tags).timer();
		return (timer != null) ? timer.count() : 0;
	}

	double fetches() {
		return counter("warden.mirror.fetches", "result", "ok");
	}

	/** Waits until no background GC is queued or running for any mirror. */
	static void awaitMaintenance(RepositoryMirrors mirrors) {
		assertThat(Eventually.await(mirrors::maintenanceIdle, (idle) -> idle)).as("maintenance finished").isTrue();
	}

	static RepositoryId id(String repository) {
		return RepositoryId.parse(repository);
	}

	/** Writes a file, commits it and pushes {@code branch} of a clone of the upstream. */
	ObjectId commitUpstream(String repository, String branch, String file, String content, boolean force) {
		try {
			Path work = Files.createTempDirectory(this.root.resolve("scratch"), "work");
			this.git.run(work, "clone", "-q", this.repositories.bare(repository).toString(), ".").assertSuccess();
			this.git.run(work, "checkout", "-q", "-B", branch).assertSuccess();
			if (force) {
				this.git.run(work, "reset", "-q", "--hard", "HEAD~1").assertSuccess();
			}
			Files.writeString(work.resolve(file), content);
			this.git.run(work, "add", ".").assertSuccess();
			this.git.run(work, "commit", "-q", "-m", "change " + file).assertSuccess();
			this.git.run(work, "push", "-q", "-f", "origin", branch).assertSuccess();
			return ObjectId.fromString(this.git.run(work, "rev-parse", "HEAD").assertSuccess().stdout().trim());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Override
	public void close() {
		this.upstream.close();
	}

	/** The upstream credential, switchable to a wrong one to make fetches fail. */
	static final class SwitchableCredentials implements UpstreamCredentials {

		volatile String token = TOKEN;

		@Override
		public String authorization(RepositoryId repository, Permission access) {
			assertThat(access).isEqualTo(Permission.FETCH);
			return StaticTokenCredentials.basic(this.token);
		}

		@Override
		public String apiAuthorization(RepositoryId repository, io.gitwarden.upstream.TokenPermissions permissions) {
			throw new AssertionError("mirrors never call the GitHub API");
		}

	}

}
