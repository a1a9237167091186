package io.gitwarden.auth;

import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.util.Set;

import javax.crypto.SecretKey;

import io.jsonwebtoken.JwsHeader;
import io.jsonwebtoken.UnsupportedJwtException;
import io.jsonwebtoken.security.Keys;

/** A shared secret: accepts HS256/384/512 only (jjwt also refuses a key too short for the algorithm). */
final class HmacVerificationKeys implements VerificationKeys {

	private static final Set<String> ALGORITHMS = Set.of("HS256", "HS384", "HS512");

	private final SecretKey key;

	HmacVerificationKeys(byte[] secret) {
		this.key = Keys.hmacShaKeyFor(secret);
	}

	HmacVerificationKeys(String secret) {
		this(secret.getBytes(StandardCharsets.UTF_8));
	}

	SecretKey key() {
		return this.key;
	}

	@Override
	public Key keyFor(JwsHeader header) {
		if (!ALGORITHMS.contains(header.getAlgorithm())) {
			throw new UnsupportedJwtException("algorithm not accepted");
		}
		return this.key;
	}

}
