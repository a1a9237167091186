package io.gitwarden.mirror;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.gitwarden.mirror.MirrorException.Reason;
import io.gitwarden.policy.Permission;
import io.gitwarden.protocol.RepositoryId;
import io.gitwarden.upstream.UpstreamTarget;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.JGitInternalException;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.FetchResult;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.TrackingRefUpdate;
import org.eclipse.jgit.transport.TransportHttp;

/**
 * One fetch from the upstream into a mirror, with JGit's HTTP transport: branches and tags only,
 * forced, deleted ones pruned ({@code refs/warden/*} is outside the refspecs, so never pruned), protocol
 * v2, no redirects. JGit negotiates with every ref the mirror has, so only what changed is transferred.
 * The upstream credential goes in an {@code Authorization} header on each request and nowhere else.
 */
final class MirrorFetcher {

	private static final String AUTHORIZATION = "Authorization";

	private final UpstreamTarget target;

	private final int timeoutSeconds;

	MirrorFetcher(UpstreamTarget target, int timeoutSeconds) {
		this.target = target;
		this.timeoutSeconds = timeoutSeconds;
	}

	String url(RepositoryId repository) {
		return this.target.baseUrl() + "/" + repository.path() + ".git";
	}

	/**
	 * Fetches the upstream's branches and tags into {@code repository}. On failure nothing was changed
	 * except, possibly, a new pack whose objects no ref uses yet (removed by the next GC).
	 */
	void fetch(Repository repository, RepositoryId id) throws MirrorException {
		String authorization;
		try {
			authorization = this.target.credentials().authorization(id, Permission.FETCH);
		}
		catch (RuntimeException ex) {
			throw new MirrorException(Reason.NO_CREDENTIAL,
					"no upstream credential for " + id + ": " + ex.getMessage());
		}
		String url = url(id);
		for (int attempt = 1;; attempt++) {
			List<TrackingRefUpdate> failed = fetchOnce(repository, url, authorization);
			if (failed.isEmpty()) {
				return;
			}
			boolean lockedOnly = failed.stream()
				.allMatch((update) -> update.getResult() == RefUpdate.Result.LOCK_FAILURE);
			if (!lockedOnly || attempt == 2) {
				List<String> names = failed.stream()
					.map((update) -> update.getLocalName() + " " + update.getResult())
					.toList();
				throw new MirrorException(Reason.FETCH_FAILED,
						"fetching " + url + " could not update " + String.join(", ", names));
			}
			// A ref was locked for a moment (GC packing refs): the objects are here now, the retry is cheap.
		}
	}

	private List<TrackingRefUpdate> fetchOnce(Repository repository, String url, String authorization)
			throws MirrorException {
		FetchResult result;
		try (Git git = Git.wrap(repository)) {
			result = git.fetch()
				.setRemote(url)
				.setRefSpecs(MirrorRefs.FETCH_SPECS)
				.setRemoveDeletedRefs(true)
				.setTagOpt(TagOpt.NO_TAGS)
				.setTimeout(this.timeoutSeconds)
				.setProgressMonitor(NullProgressMonitor.INSTANCE)
				.setTransportConfigCallback((transport) -> {
					if (!(transport instanceof TransportHttp http)) {
						throw new IllegalStateException("the upstream must be reached over HTTP(S)");
					}
					http.setAdditionalHeaders(Map.of(AUTHORIZATION, authorization));
				})
				.call();
		}
		catch (GitAPIException | JGitInternalException | IllegalStateException ex) {
			throw new MirrorException(Reason.FETCH_FAILED, "fetching " + url + " failed: " + describe(ex), ex);
		}
		List<TrackingRefUpdate> failed = new ArrayList<>();
		for (TrackingRefUpdate update : result.getTrackingRefUpdates()) {
			if (!isSuccess(update.getResult())) {
				failed.add(update);
			}
		}
		return failed;
	}

	private static boolean isSuccess(RefUpdate.Result result) {
		return switch (result) {
			case NEW, FORCED, FAST_FORWARD, NO_CHANGE, RENAMED -> true;
			default -> false;
		};
	}

	/** The innermost message: JGit wraps the transport error, which names the cause. */
	private static String describe(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause.getMessage() != null && cause.getMessage().contains("no CredentialsProvider")) {
				// JGit's words for a 401 when it has no password to try
				return "the upstream refused the credential (HTTP 401)";
			}
			if (cause == cause.getCause()) {
				break;
			}
		}
		Throwable cause = ex;
		while (cause.getCause() != null && cause.getCause() != cause) {
			cause = cause.getCause();
		}
		String outer = ex.getMessage();
		String inner = cause.getMessage();
		if (cause == ex || inner == null || (outer != null && outer.contains(inner))) {
			return String.valueOf(outer);
		}
		return outer + " (" + cause.getClass().getSimpleName() + ": " + inner + ")";
	}

}
