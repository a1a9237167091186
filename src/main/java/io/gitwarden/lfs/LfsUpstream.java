package io.gitwarden.lfs;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.gitwarden.policy.Permission;
import io.gitwarden.protocol.RepositoryId;
import io.gitwarden.refusal.RefusalReason;
import io.gitwarden.upstream.ForwardRequest;
import io.gitwarden.upstream.UpstreamClient;
import io.gitwarden.upstream.UpstreamRefusal;
import io.gitwarden.upstream.UpstreamResponse;
import io.gitwarden.upstream.UpstreamTarget;

/**
 * The LFS side of the upstream: the batch and locks APIs on {@code {warden.upstream.url}/{repo}.git/info/lfs/}
 * with the upstream credential, and the transfers to the hrefs the upstream handed out, with the headers
 * it handed out. The upstream credential goes only to the upstream's own origin: to a transfer href on
 * another host (GitHub's storage host) only the upstream's headers are sent.
 */
final class LfsUpstream {

	static final String MEDIA_TYPE = "application/vnd.git-lfs+json";

	private final UpstreamTarget target;

	private final UpstreamClient client;

	LfsUpstream(UpstreamTarget target, UpstreamClient client) {
		this.target = target;
		this.client = client;
	}

	/** {@code {base}/{repo}.git/info/lfs/{suffix}}. */
	URI uri(RepositoryId repository, String suffix) {
		return URI.create(this.target.baseUrl() + "/" + repository.path() + ".git/info/lfs/" + suffix);
	}

	/**
	 * Calls the batch or locks API.
	 * @param suffix below {@code info/lfs/}, with any query
	 * @param body the JSON body, or {@code null} for a GET
	 * @return the open response; its status is the caller's to judge ({@link #check})
	 */
	UpstreamResponse api(RepositoryId repository, Permission access, String method, String suffix, byte[] body) {
		Map<String, String> headers = new LinkedHashMap<>();
		headers.put("Accept", MEDIA_TYPE);
		if (body != null) {
			headers.put("Content-Type", MEDIA_TYPE);
		}
		headers.put("Authorization", this.target.credentials().authorization(repository, access));
		return this.client.exchange(new ForwardRequest(method, uri(repository, suffix), headers,
				(body != null) ? ForwardRequest.Body.of(body) : null));
	}

	/**
	 * A transfer to or from an upstream href, with the upstream's headers. The upstream credential is added
	 * only when the href is on the upstream's own origin and the upstream gave no {@code Authorization}
	 * header (as git-lfs itself would send its credentials there).
	 */
	UpstreamResponse transfer(String method, TransferTokens.Upstream upstream, RepositoryId repository,
			Permission access, String contentType, ForwardRequest.Body body) {
		Map<String, String> headers = new LinkedHashMap<>();
		boolean authorized = false;
		for (Map.Entry<String, String> header : upstream.headers().entrySet()) {
			headers.put(header.getKey(), header.getValue());
			authorized |= header.getKey().equalsIgnoreCase("Authorization");
		}
		if (!authorized && sameOrigin(upstream.href(), this.target.baseUrl())) {
			headers.put("Authorization", this.target.credentials().authorization(repository, access));
		}
		if (contentType != null && headers.keySet().stream().noneMatch("Content-Type"::equalsIgnoreCase)) {
			headers.put("Content-Type", contentType);
		}
		return this.client.exchange(new ForwardRequest(method, upstream.href(), headers, body));
	}

	/**
	 * Refuses an answer git-warden does not relay: the upstream refused git-warden's credential, the
	 * repository is not there, or anything else outside {@code ok}.
	 */
	static void check(RepositoryId repository, UpstreamResponse response, int... ok) {
		int status = response.status();
		for (int allowed : ok) {
			if (status == allowed) {
				return;
			}
		}
		closeQuietly(response);
		long nanos = response.elapsedNanos();
		if (status == 401 || status == 403) {
			throw new UpstreamRefusal(status, nanos, RefusalReason.UPSTREAM_CREDENTIALS_REJECTED, status);
		}
		if (status == 404) {
			throw new UpstreamRefusal(status, nanos, RefusalReason.UPSTREAM_NOT_FOUND, repository);
		}
		throw new UpstreamRefusal(status, nanos, RefusalReason.UPSTREAM_ERROR, status);
	}

	/** Whether the answer is JSON (LFS's media type or plain JSON). */
	static boolean isJson(UpstreamResponse response) {
		String type = response.header("Content-Type");
		if (type == null) {
			return false;
		}
		String lower = type.toLowerCase(Locale.ROOT);
		return lower.startsWith(MEDIA_TYPE) || lower.startsWith("application/json");
	}

	static boolean sameOrigin(URI a, URI b) {
		return a.getScheme() != null && a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost() != null
				&& a.getHost().equalsIgnoreCase(b.getHost()) && port(a) == port(b);
	}

	private static int port(URI uri) {
		if (uri.getPort() >= 0) {
			return uri.getPort();
		}
		return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
	}

	/** Reads at most {@code max} bytes of a body; more is refused as an upstream error. */
	static byte[] readBounded(UpstreamResponse response, int max) throws IOException {
		try (InputStream in = response.body()) {
			byte[] bytes = in.readNBytes(max + 1);
			if (bytes.length > max) {
				throw new UpstreamRefusal(response.status(), response.elapsedNanos(), RefusalReason.UPSTREAM_ERROR,
						response.status() + " with a body larger than " + max + " bytes");
			}
			return bytes;
		}
	}

	static void closeQuietly(UpstreamResponse response) {
		try {
			response.close();
		}
		catch (IOException ignored) {
			// the connection is discarded
		}
	}

}
