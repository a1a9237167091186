package io.gitwarden.upstream;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.gitwarden.policy.Permission;
import io.gitwarden.protocol.RepositoryId;

/**
 * One fixed token for every repository, sent the way GitHub wants it for git:
 * {@code Basic base64("x-access-token:" + token)} (Bearer is refused on github.com's git endpoints).
 */
public final class StaticTokenCredentials implements UpstreamCredentials {

	private final String header;

	public StaticTokenCredentials(String token) {
		this.header = basic(token);
	}

	/** {@code Basic base64("x-access-token:" + token)}. */
	public static String basic(String token) {
		return "Basic " + Base64.getEncoder()
			.encodeToString(("x-access-token:" + token).getBytes(StandardCharsets.UTF_8));
	}

	@Override
	public String authorization(RepositoryId repository, Permission access) {
		return this.header;
	}

	@Override
	public String toString() {
		return "StaticTokenCredentials[<redacted>]";
	}

}
