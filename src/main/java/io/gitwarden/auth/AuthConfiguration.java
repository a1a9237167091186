package io.gitwarden.auth;

import java.security.SecureRandom;
import java.time.Clock;

import io.gitwarden.config.DeploymentMode;
import io.gitwarden.config.InvalidConfigurationException;
import io.gitwarden.config.PemKeys;
import io.gitwarden.upstream.UpstreamProperties;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Chooses how session tokens are verified and whether git-warden can mint them. Exactly one verification
 * source may be set ({@code warden.auth.hmac-secret}, {@code public-key} or {@code jwks-uri}); tokens
 * git-warden mints with {@code warden.issuer.private-key} are verified with its public half as well.
 * In relay mode some key is required; the demo ({@link DeploymentMode}) generates a random secret so that
 * it runs with no configuration at all, and never signs with a configured key.
 */
@Configuration(proxyBeanMethods = false)
class AuthConfiguration {

	static final String KEY_SOURCES = SigningKeys.KEY_SOURCES;

	private static final Log logger = LogFactory.getLog(AuthConfiguration.class);

	@Bean
	Clock clock() {
		return Clock.systemUTC();
	}

	@Bean
	SigningKeys signingKeys(AuthProperties auth, IssuerProperties issuer, UpstreamProperties upstream,
			Environment environment) {
		if (DeploymentMode.isDemo(environment)) {
			// Never a configured key: an explicit demo refuses them, an implicit one has none.
			DeploymentMode.checkDemo(environment);
			logger.warn("Demo mode: using a random signing secret for this run only (tokens stop working at restart)");
			byte[] secret = new byte[32];
			new SecureRandom().nextBytes(secret);
			return new SigningKeys(null, new HmacVerificationKeys(secret));
		}
		DeploymentMode.checkRelay(environment, upstream.url());
		SigningKeys keys = SigningKeys.configured(auth, issuer);
		if (SigningKeys.verificationSources(auth) == 0 && keys.issuerKey() == null) {
			throw new InvalidConfigurationException(KEY_SOURCES,
					"no session token verification key is configured; set exactly one of them (or "
							+ "warden.issuer.private-key when git-warden mints the tokens itself)");
		}
		return keys;
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
	TokenVerifier tokenVerifier(AuthProperties auth, VerificationKeys keys, UpstreamProperties upstream, Clock clock) {
		return new VerifiedTokenCache(new JwtTokenVerifier(auth, keys, clock, upstream.maxPathDepth()), clock,
				auth.clockSkew());
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
		return signing.issuer(auth, clock);
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
