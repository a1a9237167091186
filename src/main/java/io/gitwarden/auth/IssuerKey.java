package io.gitwarden.auth;

import java.security.PrivateKey;
import java.security.PublicKey;

import io.gitwarden.config.InvalidConfigurationException;
import io.gitwarden.config.PemKeys;
import io.jsonwebtoken.security.Jwks;
import io.jsonwebtoken.security.PrivateJwk;
import io.jsonwebtoken.security.PublicJwk;

/**
 * git-warden's own asymmetric signing key ({@code warden.issuer.private-key}) with the public JWK that
 * is published for it. The public half is derived from the private key (jjwt does this for RSA, EC and
 * Ed25519), so operators configure one PEM only.
 *
 * @param privateKey signs minted tokens
 * @param algorithm the JWS {@code alg} used
 * @param publicJwk the published key, with {@code kid}, {@code alg} and {@code use: sig}
 */
record IssuerKey(PrivateKey privateKey, String algorithm, PublicJwk<?> publicJwk) {

	static final String PROPERTY = "warden.issuer.private-key";

	static IssuerKey load(IssuerProperties properties) {
		PrivateKey privateKey = PemKeys.privateKey(PROPERTY, properties.privateKey(), properties.privateKeyPassword());
		String algorithm = AsymmetricAlgorithms.defaultAlgorithm(privateKey);
		if (algorithm == null) {
			throw new InvalidConfigurationException(PROPERTY,
					"unsupported key type: use RSA (2048 bits or more), EC P-256, EC P-384 or Ed25519");
		}
		PublicKey publicKey;
		try {
			PrivateJwk<?, ?, ?> privateJwk = Jwks.builder().key(privateKey).build();
			publicKey = privateJwk.toPublicJwk().toKey();
		}
		catch (RuntimeException ex) {
			throw new InvalidConfigurationException(PROPERTY, "cannot derive the public key from the private key");
		}
		var withoutId = Jwks.builder().key(publicKey).algorithm(algorithm).publicKeyUse("sig").build();
		String keyId = (properties.keyId() != null) ? properties.keyId() : withoutId.thumbprint().toString();
		PublicJwk<?> publicJwk = (PublicJwk<?>) Jwks.builder()
			.key(publicKey)
			.algorithm(algorithm)
			.publicKeyUse("sig")
			.id(keyId)
			.build();
		return new IssuerKey(privateKey, algorithm, publicJwk);
	}

	PublicKey publicKey() {
		return (PublicKey) this.publicJwk.toKey();
	}

	String keyId() {
		return this.publicJwk.getId();
	}

	/** {@code {"keys":[<public JWK>]}}. */
	String jwksJson() {
		return "{\"keys\":[" + Jwks.json(this.publicJwk) + "]}";
	}

	@Override
	public String toString() {
		return "IssuerKey[kid=" + keyId() + ", alg=" + this.algorithm + "]";
	}

}
