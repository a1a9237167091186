package io.gitwarden.auth;

import java.time.Clock;

import io.gitwarden.config.InvalidConfigurationException;

/**
 * git-warden's own signing material for the tokens it mints: its asymmetric issuer key, the shared
 * HMAC secret, both, or neither (then only an external issuer can mint tokens).
 *
 * @param issuerKey {@code warden.issuer.private-key}, or {@code null}
 * @param hmac {@code warden.auth.hmac-secret} (or the demo mode's random secret), or {@code null}
 */
record SigningKeys(IssuerKey issuerKey, HmacVerificationKeys hmac) {

	static final String KEY_SOURCES = "warden.auth.hmac-secret, warden.auth.public-key, warden.auth.jwks-uri";

	/**
	 * The keys the configuration names, as the server and {@code token mint} both read them.
	 * @throws InvalidConfigurationException when more than one verification source is set, or a key is unreadable
	 */
	static SigningKeys configured(AuthProperties auth, IssuerProperties issuer) {
		if (verificationSources(auth) > 1) {
			throw new InvalidConfigurationException(KEY_SOURCES,
					"more than one session token verification source is set; set exactly one");
		}
		IssuerKey issuerKey = (issuer.privateKey() != null) ? IssuerKey.load(issuer) : null;
		HmacVerificationKeys hmac = (auth.hmacSecret() != null) ? new HmacVerificationKeys(auth.hmacSecret()) : null;
		return new SigningKeys(issuerKey, hmac);
	}

	static int verificationSources(AuthProperties auth) {
		return ((auth.hmacSecret() != null) ? 1 : 0) + ((auth.publicKey() != null) ? 1 : 0)
				+ ((auth.jwksUri() != null) ? 1 : 0);
	}

	/** The issuer that signs with these keys: the issuer key first, else the shared secret, else none. */
	SessionTokenIssuer issuer(AuthProperties auth, Clock clock) {
		if (this.issuerKey != null) {
			return new SessionTokenIssuer(this.issuerKey.privateKey(), this.issuerKey.algorithm(),
					this.issuerKey.keyId(), auth, clock);
		}
		if (this.hmac != null) {
			return new SessionTokenIssuer(this.hmac.key(), auth, clock);
		}
		return new SessionTokenIssuer(null, null, null, auth, clock);
	}

}
