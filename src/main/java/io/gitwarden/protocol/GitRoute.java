package io.gitwarden.protocol;

import java.util.Optional;

/**
 * A request that names one of the smart-HTTP endpoints git-warden relays:
 * {@code GET /{repository}[.git]/info/refs?service=<svc>} or {@code POST /{repository}[.git]/<svc>}, where
 * the repository is {@code owner/name} or a nested namespace of at most {@code maxDepth} segments. Every
 * other path, method or query (dumb HTTP, other services, extra parameters, encoded characters) does not
 * parse, and is refused by the caller.
 *
 * @param repository the repository named in the path
 * @param service the git service
 * @param endpoint which of the two endpoints
 */
public record GitRoute(RepositoryId repository, GitService service, Endpoint endpoint) {

	/** The two endpoints of a smart-HTTP service. */
	public enum Endpoint {
		/** {@code GET info/refs?service=...}: the ref advertisement (v0/v1) or capabilities (v2). */
		ADVERTISEMENT,
		/** {@code POST git-...-pack}: the RPC itself. */
		RPC
	}

	private static final String INFO_REFS = "/info/refs";

	/**
	 * Parses a request line.
	 * @param method the HTTP method
	 * @param rawPath the request URI path as sent, not decoded, without the query (any {@code %} refuses:
	 * encoded slashes and dots cannot sneak through)
	 * @param rawQuery the query string as sent, or {@code null}
	 * @param maxDepth most segments the repository path may have
	 * @return the route, or empty when this is not a smart-HTTP request git-warden serves
	 */
	public static Optional<GitRoute> parse(String method, String rawPath, String rawQuery, int maxDepth) {
		if (rawPath == null || !rawPath.startsWith("/")) {
			return Optional.empty();
		}
		if (rawPath.endsWith(INFO_REFS)) {
			if (!"GET".equals(method) || rawQuery == null || !rawQuery.startsWith("service=")) {
				return Optional.empty();
			}
			return repository(rawPath, INFO_REFS.length(), maxDepth)
				.flatMap((repository) -> GitService.fromServiceName(rawQuery.substring("service=".length()))
					.map((service) -> new GitRoute(repository, service, Endpoint.ADVERTISEMENT)));
		}
		int slash = rawPath.lastIndexOf('/');
		Optional<GitService> service = GitService.fromServiceName(rawPath.substring(slash + 1));
		if (service.isEmpty() || !"POST".equals(method) || rawQuery != null) {
			return Optional.empty();
		}
		return repository(rawPath, rawPath.length() - slash, maxDepth)
			.map((repository) -> new GitRoute(repository, service.get(), Endpoint.RPC));
	}

	/** The repository in {@code rawPath} before a suffix of {@code suffixLength} characters. */
	static Optional<RepositoryId> repository(String rawPath, int suffixLength, int maxDepth) {
		String path = rawPath.substring(1, rawPath.length() - suffixLength);
		if (path.endsWith(".git")) {
			path = path.substring(0, path.length() - 4);
		}
		try {
			RepositoryId repository = RepositoryId.parse(path);
			return (repository.depth() <= maxDepth) ? Optional.of(repository) : Optional.empty();
		}
		catch (IllegalArgumentException ex) {
			return Optional.empty();
		}
	}

	/** The path below the repository, as sent to the upstream (with the query for the advertisement). */
	public String upstreamSuffix() {
		return (this.endpoint == Endpoint.ADVERTISEMENT) ? "info/refs?service=" + this.service.serviceName()
				: this.service.serviceName();
	}

	/** The same endpoint on another repository: requests are forwarded to the token's spelling. */
	public GitRoute withRepository(RepositoryId other) {
		return new GitRoute(other, this.service, this.endpoint);
	}

	/** {@code advertise}, {@code fetch} or {@code push}. */
	public String operation() {
		if (this.endpoint == Endpoint.ADVERTISEMENT) {
			return "advertise";
		}
		return (this.service == GitService.RECEIVE_PACK) ? "push" : "fetch";
	}

}
