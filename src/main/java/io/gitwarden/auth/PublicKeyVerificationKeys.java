package io.gitwarden.auth;

import java.security.Key;
import java.security.PublicKey;

import io.jsonwebtoken.JwsHeader;
import io.jsonwebtoken.UnsupportedJwtException;

/**
 * One public key ({@code warden.auth.public-key}): accepts only the algorithms that fit its type, so
 * an HS256 token "signed" with the public key's bytes as a secret is refused.
 */
final class PublicKeyVerificationKeys implements VerificationKeys {

	private final PublicKey key;

	PublicKeyVerificationKeys(PublicKey key) {
		if (!AsymmetricAlgorithms.isSupported(key)) {
			throw new IllegalArgumentException("unsupported public key type " + key.getAlgorithm());
		}
		this.key = key;
	}

	PublicKey key() {
		return this.key;
	}

	@Override
	public Key keyFor(JwsHeader header) {
		if (!AsymmetricAlgorithms.fits(header.getAlgorithm(), this.key)) {
			throw new UnsupportedJwtException("algorithm not accepted");
		}
		return this.key;
	}

}
