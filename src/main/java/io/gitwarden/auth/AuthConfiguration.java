package io.gitwarden.auth;

import java.security.SecureRandom;
import java.time.Clock;

import io.gitwarden.config.InvalidConfigurationException;
import io.gitwarden.upstream.UpstreamProperties;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Chooses how session tokens are verified and whether git-warden can mint them. With a real upstream a
 * verification key is required; the embedded demo generates a random secret so that it runs with no
 * configuration at all.
 */
@Configuration(proxyBeanMethods = false)
class AuthConfiguration {

	private static final Log logger = LogFactory.getLog(AuthConfiguration.class);

	@Bean
	Clock clock() {
		return Clock.systemUTC();
	}

	@Bean
	HmacVerificationKeys verificationKeys(AuthProperties auth, UpstreamProperties upstream) {
		if (auth.hmacSecret() != null) {
			return new HmacVerificationKeys(auth.hmacSecret());
		}
		if (upstream.url() != null) {
			throw new InvalidConfigurationException("warden.auth.hmac-secret",
					"no session token verification key is configured while warden.upstream.url is set; "
							+ "set warden.auth.hmac-secret (at least 32 bytes)");
		}
		logger.warn("warden.auth.hmac-secret is not set: using a random signing secret for this run only "
				+ "(demo mode, tokens stop working at restart)");
		byte[] secret = new byte[32];
		new SecureRandom().nextBytes(secret);
		return new HmacVerificationKeys(secret);
	}

	@Bean
	TokenVerifier tokenVerifier(AuthProperties auth, VerificationKeys keys, Clock clock) {
		return new JwtTokenVerifier(auth, keys, clock);
	}

	@Bean
	SessionRevocations sessionRevocations(AuthProperties auth, Clock clock) {
		return new SessionRevocations(auth, clock);
	}

	@Bean
	SessionTokenIssuer sessionTokenIssuer(HmacVerificationKeys keys, AuthProperties auth, Clock clock) {
		return new SessionTokenIssuer(keys.key(), auth, clock);
	}

}
