package io.gitwarden.githubapi;

import java.net.URI;

import io.gitwarden.upstream.UpstreamCredentials;

/**
 * The GitHub API the session's calls go to: the REST base ({@code warden.upstream.api-url}), the GraphQL
 * endpoint derived from it, and the upstream credential. {@link #NONE} in demo mode, whose embedded
 * upstream has no GitHub API.
 *
 * @param restUrl the REST base without a trailing slash ({@code https://api.github.com},
 * {@code https://ghe.example.com/api/v3}), or {@code null}
 * @param graphqlUrl {@code https://api.github.com/graphql}, {@code https://ghe.example.com/api/graphql}, or
 * {@code null}
 * @param credentials the upstream credential, or {@code null}
 */
record GitHubApiTarget(URI restUrl, URI graphqlUrl, UpstreamCredentials credentials) {

	/** No GitHub API (demo mode). */
	static final GitHubApiTarget NONE = new GitHubApiTarget(null, null, null);

	/** The target for a REST base: GraphQL at {@code /api/graphql} on GitHub Enterprise Server, else {@code /graphql}. */
	static GitHubApiTarget of(URI restUrl, UpstreamCredentials credentials) {
		String text = restUrl.toString();
		String graphql = text.endsWith("/api/v3") ? text.substring(0, text.length() - "/v3".length()) + "/graphql"
				: text + "/graphql";
		return new GitHubApiTarget(restUrl, URI.create(graphql), credentials);
	}

	boolean isAvailable() {
		return this.restUrl != null;
	}

}
