package io.gitwarden.auth;

import java.security.Key;

import io.jsonwebtoken.JwsHeader;

/**
 * Chooses the key that verifies a token, from its header. Implementations refuse an {@code alg} that
 * does not fit their key type (no HS/RS confusion) by throwing {@link io.jsonwebtoken.JwtException}.
 */
public interface VerificationKeys {

	/** The key for this header's {@code alg} (and {@code kid}), or a {@link io.jsonwebtoken.JwtException}. */
	Key keyFor(JwsHeader header);

}
