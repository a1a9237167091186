package io.gitwarden.embedded;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.HexFormat;

import io.gitwarden.auth.SessionTokenIssuer;
import io.gitwarden.upstream.StaticTokenCredentials;
import io.gitwarden.upstream.UpstreamTarget;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The zero-configuration run: with {@code warden.upstream.url} unset, git-warden starts its own git
 * server on loopback (seeded with {@code demo/hello}) and relays to it with a random upstream token,
 * exactly as it would relay to GitHub. For trying git-warden out only.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${warden.upstream.url:}'.isEmpty()")
class EmbeddedUpstreamConfiguration {

	private static final Log logger = LogFactory.getLog(EmbeddedUpstreamConfiguration.class);

	private final String upstreamToken = randomToken();

	@Bean(destroyMethod = "close")
	EmbeddedGitServer embeddedGitServer(EmbeddedProperties properties) throws IOException {
		DemoRepositories.seed(properties.repositories());
		EmbeddedGitServer server = EmbeddedGitServer.start(properties.repositories(), this.upstreamToken,
				(receivePack) -> {
				});
		logger.warn("warden.upstream.url is not set: serving the embedded demo upstream at " + server.baseUrl()
				+ " from " + properties.repositories().toAbsolutePath().normalize()
				+ ". This mode is for trying git-warden out, not for production.");
		return server;
	}

	@Bean
	UpstreamTarget upstreamTarget(EmbeddedGitServer server) {
		return new UpstreamTarget(server.baseUrl(), new StaticTokenCredentials(this.upstreamToken));
	}

	@Bean
	DemoBanner demoBanner(SessionTokenIssuer issuer) {
		return new DemoBanner(issuer, System.out);
	}

	private static String randomToken() {
		byte[] bytes = new byte[24];
		new SecureRandom().nextBytes(bytes);
		return HexFormat.of().formatHex(bytes);
	}

}
