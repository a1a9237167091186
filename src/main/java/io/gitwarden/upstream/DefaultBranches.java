package io.gitwarden.upstream;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.gitwarden.policy.Permission;
import io.gitwarden.policy.PolicyProperties;
import io.gitwarden.protocol.GitRoute;
import io.gitwarden.protocol.GitService;
import io.gitwarden.protocol.RepositoryId;
import io.gitwarden.refusal.RefusalReason;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.PacketLineIn;

import org.springframework.stereotype.Component;

/**
 * The upstream's default branch of each repository, for the {@code HEAD} entry of
 * {@code warden.policy.protected-branches}: learnt from the {@code symref=HEAD:refs/heads/<name>} capability
 * of the upload-pack ref advertisement (protocol v0, which every smart-HTTP server speaks and which carries
 * the capability on its first ref line), reading only that first line and then dropping the connection, so
 * the cost does not grow with the number of refs. Answers are kept per repository for
 * {@value #KNOWN_MINUTES} minutes ({@value #UNKNOWN_SECONDS} s when the upstream named none: an empty
 * repository, a detached {@code HEAD}); concurrent pushes to a repository share one lookup.
 *
 * <p>Nothing is looked up when {@code HEAD} is not protected. When the upstream cannot be asked, the push is
 * refused with the upstream's reason rather than decided without the rule (fail closed); forwarding it would
 * have failed the same way.
 */
@Component
public class DefaultBranches {

	static final long KNOWN_MINUTES = 5;

	static final long UNKNOWN_SECONDS = 30;

	private static final int MAX_REPOSITORIES = 10_000;

	private static final String SYMREF_HEAD = "symref=HEAD:" + Constants.R_HEADS;

	private final UpstreamTarget target;

	private final UpstreamClient client;

	private final boolean needed;

	/** Answers by canonical repository path; failed lookups are not kept. */
	private final Cache<String, Optional<String>> known = Caffeine.newBuilder()
		.maximumSize(MAX_REPOSITORIES)
		.expireAfter(Expiry.creating((String repository, Optional<String> branch) -> branch.isPresent()
				? Duration.ofMinutes(KNOWN_MINUTES) : Duration.ofSeconds(UNKNOWN_SECONDS)))
		.build();

	/** The lookup in flight per repository, which concurrent pushes wait for instead of asking again. */
	private final ConcurrentMap<String, CompletableFuture<Optional<String>>> inFlight = new ConcurrentHashMap<>();

	public DefaultBranches(UpstreamTarget target, UpstreamClient client, PolicyProperties policy) {
		this.target = target;
		this.client = client;
		this.needed = policy.protectedBranches().contains(PolicyProperties.DEFAULT_BRANCH);
	}

	/**
	 * @param repository the repository, as the grant spells it
	 * @return the upstream's default branch short name ({@code main}), or {@code null} when {@code HEAD} is not
	 * a protected entry or the upstream names no default branch
	 * @throws io.gitwarden.refusal.Refusal when the upstream cannot be reached or does not answer as a git
	 * server
	 */
	public String of(RepositoryId repository) {
		if (!this.needed) {
			return null;
		}
		String key = repository.canonical();
		Optional<String> cached = this.known.getIfPresent(key);
		if (cached != null) {
			return cached.orElse(null);
		}
		CompletableFuture<Optional<String>> mine = new CompletableFuture<>();
		CompletableFuture<Optional<String>> running = this.inFlight.putIfAbsent(key, mine);
		if (running == null) {
			// this thread asks the upstream, outside any lock; others asking meanwhile wait for its answer
			try {
				Optional<String> branch = lookup(repository);
				this.known.put(key, branch);
				mine.complete(branch);
			}
			catch (RuntimeException ex) {
				mine.completeExceptionally(ex);
			}
			finally {
				this.inFlight.remove(key, mine);
			}
			running = mine;
		}
		try {
			return running.join().orElse(null);
		}
		catch (CompletionException ex) {
			if (ex.getCause() instanceof RuntimeException cause) {
				throw cause;
			}
			throw ex;
		}
	}

	private Optional<String> lookup(RepositoryId repository) {
		GitRoute route = new GitRoute(repository, GitService.UPLOAD_PACK, GitRoute.Endpoint.ADVERTISEMENT);
		Map<String, String> headers = new LinkedHashMap<>();
		headers.put("User-Agent", "git-warden");
		// the credential the push itself is about to use (a GitHub App mints one token, not two)
		headers.put("Authorization", this.target.credentials().authorization(repository, Permission.PUSH));
		UpstreamResponse response = this.client.exchange(new ForwardRequest("GET", this.target.uriFor(route), headers,
				null));
		try (response) {
			check(repository, response);
			return Optional.ofNullable(defaultBranch(response.body()));
		}
		catch (IOException ex) {
			throw new UpstreamRefusal(response.status(), response.elapsedNanos(), RefusalReason.UPSTREAM_UNAVAILABLE,
					"advertisement cut short");
		}
	}

	private static void check(RepositoryId repository, UpstreamResponse response) {
		int status = response.status();
		long nanos = response.elapsedNanos();
		if (status == 401 || status == 403) {
			throw new UpstreamRefusal(status, nanos, RefusalReason.UPSTREAM_CREDENTIALS_REJECTED, status);
		}
		if (status == 404) {
			throw new UpstreamRefusal(status, nanos, RefusalReason.UPSTREAM_NOT_FOUND, repository);
		}
		if (status != 200) {
			throw new UpstreamRefusal(status, nanos, RefusalReason.UPSTREAM_ERROR, status);
		}
		String type = response.header("Content-Type");
		if (type == null || !type.toLowerCase(Locale.ROOT).startsWith(GitService.UPLOAD_PACK.advertisementType())) {
			throw new UpstreamRefusal(status, nanos, RefusalReason.UPSTREAM_NOT_GIT, status,
					(type != null) ? type.replaceAll("[^\\x20-\\x7e]", "?") : "no Content-Type");
		}
	}

	/**
	 * The default branch named by a v0 upload-pack advertisement: {@code # service=} line, flush, then the
	 * first ref line, whose capabilities follow a NUL. Only those lines are read.
	 * @return the branch short name, or {@code null} when the advertisement names none
	 */
	static String defaultBranch(InputStream advertisement) throws IOException {
		PacketLineIn in = new PacketLineIn(advertisement);
		String line;
		try {
			line = in.readString();
			if (line.startsWith("# service=")) {
				if (!PacketLineIn.isEnd(in.readString())) {
					return null;
				}
				line = in.readString();
			}
		}
		catch (EOFException ex) {
			// an advertisement that ends early names no default branch
			return null;
		}
		int nul = line.indexOf('\0');
		if (PacketLineIn.isEnd(line) || nul < 0) {
			return null;
		}
		for (String capability : line.substring(nul + 1).split(" ")) {
			if (capability.startsWith(SYMREF_HEAD)) {
				String branch = capability.substring(SYMREF_HEAD.length());
				return Repository.isValidRefName(Constants.R_HEADS + branch) ? branch : null;
			}
		}
		return null;
	}

}
