package io.gitwarden.lfs;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;

import io.gitwarden.auth.SessionAuthenticator;
import io.gitwarden.auth.SessionRevocations;
import io.gitwarden.upstream.UpstreamClient;
import io.gitwarden.upstream.UpstreamProperties;
import io.gitwarden.upstream.UpstreamTarget;
import io.gitwarden.web.RequestBodies;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wiring of the Git LFS endpoint ({@code warden.lfs.*}). */
@Configuration(proxyBeanMethods = false)
class LfsConfiguration {

	private static final Log logger = LogFactory.getLog(LfsConfiguration.class);

	@Bean
	LfsHandlerMapping lfsHandlerMapping(LfsProperties properties, SessionAuthenticator authenticator,
			SessionRevocations revocations, RequestBodies bodies, UpstreamTarget target, UpstreamClient client,
			UpstreamProperties upstreamProperties, Clock clock) {
		TransferTokens tokens = new TransferTokens(key(properties), clock);
		SessionUploads uploads = new SessionUploads(properties.maxUploadBytesPerSession());
		LfsUpstream upstream = new LfsUpstream(target, client);
		LfsEndpoint endpoint = new LfsEndpoint(authenticator,
				new BatchService(bodies, upstream, tokens, uploads, properties), new LockService(bodies, upstream),
				new TransferService(tokens, new UsedTransfers(clock), uploads, revocations, upstream, bodies, properties),
				bodies);
		return new LfsHandlerMapping(endpoint, upstreamProperties.maxPathDepth());
	}

	private static byte[] key(LfsProperties properties) {
		if (properties.signingKey() != null) {
			return properties.signingKey().getBytes(StandardCharsets.UTF_8);
		}
		logger.info("LFS transfer URLs are signed with a random key of this process (warden.lfs.signing-key is "
				+ "unset): with several replicas, set the same key on each");
		byte[] key = new byte[32];
		new SecureRandom().nextBytes(key);
		return key;
	}

}
