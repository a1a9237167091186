package io.gitwarden.upstream;

import java.time.Instant;

/**
 * A GitHub App installation token as minted.
 *
 * @param token the secret value
 * @param expiresAt {@code expires_at}
 */
record InstallationToken(String token, Instant expiresAt) {

	@Override
	public String toString() {
		return "InstallationToken[<redacted>, expiresAt=" + this.expiresAt + "]";
	}

}
