package io.gitwarden.upstream;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.gitwarden.policy.Permission;
import io.gitwarden.protocol.RepositoryId;

/**
 * One fixed token for every repository, sent as HTTP Basic {@code base64(username + ":" + token)}, the form
 * git hosts accept for tokens over HTTPS: GitHub wants the user name {@code x-access-token} (Bearer is
 * refused on github.com's git endpoints), GitLab {@code oauth2}, Bitbucket {@code x-token-auth}.
 */
public final class StaticTokenCredentials implements UpstreamCredentials {

	/** The user name GitHub expects with a token, and the default of {@code warden.upstream.username}. */
	public static final String GITHUB_USERNAME = "x-access-token";

	private final String header;

	private final String apiHeader;

	/** Sends {@code token} as GitHub expects it ({@value #GITHUB_USERNAME}). */
	public StaticTokenCredentials(String token) {
		this(GITHUB_USERNAME, token);
	}

	public StaticTokenCredentials(String username, String token) {
		this.header = basic(username, token);
		this.apiHeader = "Bearer " + token;
	}

	/** {@code Basic base64("x-access-token:" + token)}. */
	public static String basic(String token) {
		return basic(GITHUB_USERNAME, token);
	}

	/** {@code Basic base64(username + ":" + token)}. */
	public static String basic(String username, String token) {
		return "Basic " + Base64.getEncoder().encodeToString((username + ":" + token).getBytes(StandardCharsets.UTF_8));
	}

	@Override
	public String authorization(RepositoryId repository, Permission access) {
		return this.header;
	}

	/** {@code Bearer <token>}, as GitHub's REST and GraphQL API take a token; the same for every call. */
	@Override
	public String apiAuthorization(RepositoryId repository, TokenPermissions permissions) {
		return this.apiHeader;
	}

	@Override
	public String toString() {
		return "StaticTokenCredentials[<redacted>]";
	}

}
