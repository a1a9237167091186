package io.gitwarden.protocol;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A request that names one of the smart-HTTP endpoints git-warden relays:
 * {@code GET /{owner}/{repo}[.git]/info/refs?service=<svc>} or
 * {@code POST /{owner}/{repo}[.git]/<svc>}. Every other path, method or query (dumb HTTP, other
 * services, extra parameters, encoded characters) does not parse, and is refused by the caller.
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

	// Raw (still encoded) path: any '%' is refused, so encoded slashes and dots cannot sneak through.
	private static final Pattern PATH = Pattern.compile(
			"/([A-Za-z0-9._-]+)/([A-Za-z0-9._-]+?)(?:\\.git)?/(info/refs|git-upload-pack|git-receive-pack)");

	/**
	 * Parses a request line.
	 * @param method the HTTP method
	 * @param rawPath the request URI path as sent, not decoded, without the query
	 * @param rawQuery the query string as sent, or {@code null}
	 * @return the route, or empty when this is not a smart-HTTP request git-warden serves
	 */
	public static Optional<GitRoute> parse(String method, String rawPath, String rawQuery) {
		Matcher matcher = PATH.matcher(rawPath);
		if (!matcher.matches() || !RepositoryId.isValidPart(matcher.group(1))
				|| !RepositoryId.isValidPart(matcher.group(2))) {
			return Optional.empty();
		}
		RepositoryId repository = new RepositoryId(matcher.group(1), matcher.group(2));
		String tail = matcher.group(3);
		if (tail.equals("info/refs")) {
			if (!"GET".equals(method) || rawQuery == null || !rawQuery.startsWith("service=")) {
				return Optional.empty();
			}
			return GitService.fromServiceName(rawQuery.substring("service=".length()))
				.map((service) -> new GitRoute(repository, service, Endpoint.ADVERTISEMENT));
		}
		if (!"POST".equals(method) || rawQuery != null) {
			return Optional.empty();
		}
		return GitService.fromServiceName(tail).map((service) -> new GitRoute(repository, service, Endpoint.RPC));
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

}
