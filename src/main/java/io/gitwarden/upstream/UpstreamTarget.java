package io.gitwarden.upstream;

import java.net.URI;

import io.gitwarden.protocol.GitRoute;

/**
 * The upstream in use: a base URL and the credential for it. Either configured
 * ({@code warden.upstream.url}) or the embedded demo server.
 *
 * @param baseUrl base URL without a trailing slash
 * @param credentials the credential source
 */
public record UpstreamTarget(URI baseUrl, UpstreamCredentials credentials) {

	/** {@code {base}/{owner}/{repo}.git/{endpoint}} for a route already rewritten to the token's repository. */
	public URI uriFor(GitRoute route) {
		return URI.create(this.baseUrl + "/" + route.repository().path() + ".git/" + route.upstreamSuffix());
	}

}
