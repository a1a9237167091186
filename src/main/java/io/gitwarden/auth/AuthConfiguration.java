package io.gitwarden.auth;

import java.security.SecureRandom;
import java.time.Clock;

import io.gitwarden.config.InvalidConfigurationException;
import io.gitwarden.config.PemKeys;
import io.gitwarden.upstream.UpstreamProperties;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Chooses how session tokens are verified and whether git-warden can mint them. Exactly one verification
 * source may be set ({@code warden.auth.hmac-secret}, {@code public-key} or {@code jwks-uri}); tokens
 * git-warden mints with {@code warden.issuer.private-key} are verified with its public half as well.
 * With a real upstream some key is required; the embedded demo generates a random secret so that it
 * runs with no configuration at all.
 */
@Configuration(proxyBeanMethods = false)
class AuthConfiguration {

	static final String KEY_SOURCES = "warden.auth.hmac-secret, warden.auth.public-key, warden.auth.jwks-uri";

	private static final Log logger = LogFactory.getLog(AuthConfiguration.class);

	@Bean
	Clock clock() {
		return Clock.systemUTC();
	}

	@Bean
	SigningKeys signingKeys(AuthProperties auth, IssuerProperties issuer, UpstreamProperties upstream) {
		int sources = ((auth.hmacSecret() != null) ? 1 : 0) + ((auth.publicKey() != null) ? 1 : 0)
				+ ((auth.jwksUri() != null) ? 1 : 0);
		if (sources > 1) {
			throw new InvalidConfigurationException(KEY_SOURCES,
					"more than one session token verification source is set; set exactly one");
		}
		IssuerKey issuerKey = (issuer.privateKey() != null) ? IssuerKey.load(issuer) : null;
		if (auth.hmacSecret() != null) {
			return new SigningKeys(issuerKey, new HmacVerificationKeys(auth.hmacSecret()));
		}
		if (sources == 0 && issuerKey == null) {
			if (upstream.url() != null) {
				throw new InvalidConfigurationException(KEY_SOURCES,
						"no session token verification key is configured while warden.upstream.url is set; "
								+ "set exactly one of them (or warden.issuer.private-key when git-warden mints "
								+ "the tokens itself)");
			}
			logger.warn("warden.auth.hmac-secret is not set: using a random signing secret for this run only "
					+ "(demo mode, tokens stop working at restart)");
			byte[] secret = new byte[32];
			new SecureRandom().nextBytes(secret);
			return new SigningKeys(null, new HmacVerificationKeys(secret));
		}
		return new SigningKeys(issuerKey, null);
	}

	@Bean
	VerificationKeys verificationKeys(AuthProperties auth, SigningKeys signing, Clock clock) {
		VerificationKeys configured = null;
		if (signing.hmac() != null) {
			configured = signing.hmac();
		}
		else if (auth.publicKey() != null) {
			configured = publicKey(auth.publicKey());
		}
		else if (auth.jwksUri() != null) {
			configured = new JwksVerificationKeys(auth.jwksUri(), auth.jwksCacheDuration(), auth.jwksRefreshInterval(),
					auth.jwksTimeout(), clock);
		}
		return (signing.issuerKey() != null) ? new IssuerVerificationKeys(signing.issuerKey(), configured)
				: configured;
	}

	@Bean
	TokenVerifier tokenVerifier(AuthProperties auth, VerificationKeys keys, Clock clock) {
		return new VerifiedTokenCache(new JwtTokenVerifier(auth, keys, clock), clock, auth.clockSkew());
	}

	/**
	 * Revocations, kept by the shared store when one is configured ({@code warden.store.url} makes it a
	 * {@link RevocationStore} bean), else in the local file {@code warden.revocations.file}.
	 */
	@Bean(destroyMethod = "close")
	SessionRevocations sessionRevocations(AuthProperties auth, RevocationProperties properties,
			ObjectProvider<RevocationStore> shared, Clock clock) {
		RevocationStore store = shared.getIfAvailable(() -> new FileRevocationStore(properties.file()));
		return new SessionRevocations(store, auth, properties.maxEntries(), clock).start();
	}

	@Bean
	SessionTokenIssuer sessionTokenIssuer(SigningKeys signing, AuthProperties auth, Clock clock) {
		if (signing.issuerKey() != null) {
			IssuerKey key = signing.issuerKey();
			return new SessionTokenIssuer(key.privateKey(), key.algorithm(), key.keyId(), auth, clock);
		}
		if (signing.hmac() != null) {
			return new SessionTokenIssuer(signing.hmac().key(), auth, clock);
		}
		return new SessionTokenIssuer(null, null, null, auth, clock);
	}

	private static PublicKeyVerificationKeys publicKey(String pem) {
		java.security.PublicKey key = PemKeys.publicKey("warden.auth.public-key", pem);
		if (!AsymmetricAlgorithms.isSupported(key)) {
			throw new InvalidConfigurationException("warden.auth.public-key",
					"unsupported key type: use RSA, EC P-256, EC P-384 or Ed25519");
		}
		return new PublicKeyVerificationKeys(key);
	}

}
