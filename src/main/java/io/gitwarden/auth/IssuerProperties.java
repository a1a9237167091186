package io.gitwarden.auth;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The key git-warden signs the session tokens it mints with ({@code warden.issuer.*}), when it mints
 * them with an asymmetric key rather than the shared {@code warden.auth.hmac-secret}. Its public half
 * is published at {@code /.well-known/jwks.json} and verifies git-warden's own tokens.
 *
 * @param privateKey PEM private key (RSA, EC P-256/P-384 or Ed25519; PKCS#8, encrypted PKCS#8, PKCS#1 for RSA
 * or SEC1 for EC), as text or {@code file:<path>}
 * @param privateKeyPassword password of an encrypted PKCS#8 private key ({@code BEGIN ENCRYPTED PRIVATE KEY})
 * @param keyId the {@code kid} put in token headers and the published JWK; unset uses the key's RFC 7638
 * thumbprint
 */
@ConfigurationProperties("warden.issuer")
public record IssuerProperties(String privateKey, String privateKeyPassword, String keyId) {

	public IssuerProperties {
		if (privateKey != null && privateKey.isBlank()) {
			privateKey = null;
		}
		if (keyId != null && keyId.isBlank()) {
			keyId = null;
		}
	}

	@Override
	public String toString() {
		return "IssuerProperties[privateKey=" + ((this.privateKey != null) ? "<set>" : "<unset>")
				+ ", privateKeyPassword=" + ((this.privateKeyPassword != null) ? "<set>" : "<unset>") + ", keyId="
				+ this.keyId + "]";
	}

}
