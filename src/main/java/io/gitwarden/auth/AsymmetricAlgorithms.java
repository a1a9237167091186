package io.gitwarden.auth;

import java.security.Key;
import java.security.interfaces.ECKey;
import java.security.interfaces.EdECKey;
import java.security.interfaces.RSAKey;
import java.util.Set;

/**
 * Which JWS algorithms fit which asymmetric key: RS256/384/512 and PS256/384/512 for RSA, ES256 for EC
 * P-256, ES384 for EC P-384, EdDSA for Ed25519. Anything else (above all HS*, which would let a public
 * key be used as an HMAC secret) does not fit, and the token is refused before its signature is checked.
 */
final class AsymmetricAlgorithms {

	private static final Set<String> RSA = Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512");

	private AsymmetricAlgorithms() {
	}

	/** True when {@code algorithm} (a JWS {@code alg}) may be verified or signed with {@code key}. */
	static boolean fits(String algorithm, Key key) {
		if (algorithm == null) {
			return false;
		}
		if (key instanceof RSAKey) {
			return RSA.contains(algorithm);
		}
		return algorithm.equals(defaultAlgorithm(key));
	}

	/**
	 * The algorithm git-warden signs with for this key, or {@code null} when git-warden does not accept
	 * the key type at all.
	 */
	static String defaultAlgorithm(Key key) {
		if (key instanceof RSAKey) {
			return "RS256";
		}
		if (key instanceof ECKey ec) {
			return switch (ec.getParams().getCurve().getField().getFieldSize()) {
				case 256 -> "ES256";
				case 384 -> "ES384";
				default -> null;
			};
		}
		if (key instanceof EdECKey ed) {
			return "Ed25519".equals(ed.getParams().getName()) ? "EdDSA" : null;
		}
		return null;
	}

	/** True for the asymmetric key types git-warden accepts. */
	static boolean isSupported(Key key) {
		return defaultAlgorithm(key) != null;
	}

}
