package io.gitwarden.upstream;

import java.net.URI;
import java.time.Duration;

import io.gitwarden.config.Settings;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where and how requests are forwarded ({@code warden.upstream.*}).
 *
 * @param url base URL of the smart-HTTP server, e.g. {@code https://github.com}; unset runs the embedded
 * demo upstream
 * @param token static upstream token, sent as the password of HTTP Basic authentication
 * @param username the user name sent with the static token (default {@code x-access-token}, what GitHub
 * expects; {@code oauth2} for GitLab, {@code x-token-auth} for Bitbucket); a GitHub App's installation
 * tokens always go as {@code x-access-token}
 * @param githubApp a GitHub App that mints narrowed installation tokens instead of a static token
 * @param connectTimeout TCP connect timeout (default 5s)
 * @param readTimeout longest silence from the upstream while waiting for or reading a response (default
 * 10m: upstream checks after a push can be slow, and git itself has no read timeout)
 * @param maxConnections pooled connections to the upstream (default 1000)
 * @param maxPathDepth most segments of a repository path, for nested namespaces such as GitLab's
 * subgroups ({@code group/subgroup/project}; default 8)
 * @param apiUrl GitHub REST API base URL for the sessions' GitHub API calls ({@code /api/v3/X} goes to
 * {@code {api-url}/X}, GraphQL to {@code {api-url}/graphql}); unset: the GitHub App's
 * {@code github-app.api-url} when an App is configured, else {@code https://api.github.com}
 */
@ConfigurationProperties("warden.upstream")
public record UpstreamProperties(URI url, String token,
		@DefaultValue(StaticTokenCredentials.GITHUB_USERNAME) String username, @DefaultValue("5s") Duration connectTimeout,
		@DefaultValue("10m") Duration readTimeout, @DefaultValue("1000") int maxConnections,
		@DefaultValue GitHubApp githubApp, @DefaultValue("8") int maxPathDepth, URI apiUrl) {

	/** The GitHub REST API of github.com. */
	public static final URI GITHUB_API = URI.create("https://api.github.com");

	public UpstreamProperties {
		if (url != null && url.toString().isEmpty()) {
			url = null;
		}
		if (url != null) {
			if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null
					|| url.getRawQuery() != null || url.getRawFragment() != null || url.getRawUserInfo() != null) {
				throw new IllegalArgumentException(
						"warden.upstream.url must be an http(s) URL without user info, query or fragment");
			}
			String text = url.toString();
			url = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
		}
		if (token != null && token.isBlank()) {
			token = null;
		}
		if (username == null || username.isEmpty() || username.contains(":")
				|| !username.chars().allMatch((c) -> c > 0x20 && c < 0x7f)) {
			throw new IllegalArgumentException("warden.upstream.username must be printable ASCII without spaces "
					+ "or ':' (the user name of HTTP Basic authentication)");
		}
		if (connectTimeout.isNegative() || connectTimeout.isZero()) {
			throw new IllegalArgumentException("warden.upstream.connect-timeout must be positive");
		}
		if (readTimeout.isNegative() || readTimeout.isZero()) {
			throw new IllegalArgumentException("warden.upstream.read-timeout must be positive");
		}
		Settings.between("warden.upstream.max-connections", maxConnections, 1, 100_000);
		Settings.between("warden.upstream.max-path-depth", maxPathDepth, 2, 32);
		if (apiUrl != null && apiUrl.toString().isEmpty()) {
			apiUrl = null;
		}
		if (apiUrl != null) {
			if (!("http".equals(apiUrl.getScheme()) || "https".equals(apiUrl.getScheme())) || apiUrl.getHost() == null
					|| apiUrl.getRawQuery() != null || apiUrl.getRawFragment() != null || apiUrl.getRawUserInfo() != null) {
				throw new IllegalArgumentException(
						"warden.upstream.api-url must be an http(s) URL without user info, query or fragment");
			}
			String text = apiUrl.toString();
			apiUrl = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
		}
	}

	/**
	 * The GitHub API the sessions' API calls go to: {@code api-url}, else the GitHub App's API URL when an
	 * App is configured, else {@code https://api.github.com}. No trailing slash.
	 */
	public URI githubApiUrl() {
		if (this.apiUrl != null) {
			return this.apiUrl;
		}
		return this.githubApp.isConfigured() ? this.githubApp.apiUrl() : GITHUB_API;
	}

	@Override
	public String toString() {
		return "UpstreamProperties[url=" + this.url + ", token=" + ((this.token != null) ? "<set>" : "<unset>")
				+ ", username=" + this.username + ", connectTimeout=" + this.connectTimeout + ", readTimeout="
				+ this.readTimeout + ", maxConnections=" + this.maxConnections + ", githubApp=" + this.githubApp
				+ ", maxPathDepth=" + this.maxPathDepth + ", apiUrl=" + this.apiUrl + "]";
	}

	/**
	 * A GitHub App as the upstream credential ({@code warden.upstream.github-app.*}): git-warden mints
	 * installation tokens narrowed to one repository and {@code contents} read or write.
	 *
	 * @param appId the App's id (the {@code iss} of the App JWT)
	 * @param privateKey the App's private key, PEM (PKCS#1 as GitHub issues it, PKCS#8 or encrypted PKCS#8), as
	 * text or {@code file:<path>}
	 * @param privateKeyPassword password of an encrypted PKCS#8 private key ({@code BEGIN ENCRYPTED PRIVATE KEY})
	 * @param apiUrl REST API base URL (default {@code https://api.github.com}; GitHub Enterprise Server:
	 * {@code https://HOST/api/v3})
	 * @param installationId the installation to use; unset looks it up per repository
	 * @param timeout connect and response timeout of each API call (default 10s)
	 */
	public record GitHubApp(String appId, String privateKey, String privateKeyPassword, @DefaultValue("https://api.github.com") URI apiUrl,
			Long installationId, @DefaultValue("10s") Duration timeout) {

		public GitHubApp {
			if (appId != null && appId.isBlank()) {
				appId = null;
			}
			if (privateKey != null && privateKey.isBlank()) {
				privateKey = null;
			}
			if (apiUrl == null || apiUrl.toString().isEmpty()) {
				apiUrl = URI.create("https://api.github.com");
			}
			if (!("http".equals(apiUrl.getScheme()) || "https".equals(apiUrl.getScheme())) || apiUrl.getHost() == null
					|| apiUrl.getRawQuery() != null || apiUrl.getRawUserInfo() != null) {
				throw new IllegalArgumentException(
						"warden.upstream.github-app.api-url must be an http(s) URL without user info or query");
			}
			String text = apiUrl.toString();
			apiUrl = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
			if (installationId != null && installationId <= 0) {
				throw new IllegalArgumentException("warden.upstream.github-app.installation-id must be positive");
			}
			if (timeout.isNegative() || timeout.isZero()) {
				throw new IllegalArgumentException("warden.upstream.github-app.timeout must be positive");
			}
		}

		/** True when any of the App's own settings is given (the API URL has a default). */
		public boolean isConfigured() {
			return this.appId != null || this.privateKey != null || this.installationId != null;
		}

		@Override
		public String toString() {
			return "GitHubApp[appId=" + this.appId + ", privateKey=" + ((this.privateKey != null) ? "<set>" : "<unset>")
					+ ", privateKeyPassword=" + ((this.privateKeyPassword != null) ? "<set>" : "<unset>") + ", apiUrl=" + this.apiUrl + ", installationId=" + this.installationId + ", timeout="
					+ this.timeout + "]";
		}

	}

}
