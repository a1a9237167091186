package io.gitwarden.embedded;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.HexFormat;

import io.gitwarden.auth.SessionTokenIssuer;
import io.gitwarden.config.DeploymentMode;
import io.gitwarden.upstream.StaticTokenCredentials;
import io.gitwarden.upstream.UpstreamTarget;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The zero-configuration run ({@link DeploymentMode demo mode}): git-warden starts its own git server on
 * loopback (seeded with {@code demo/hello}) and relays to it with a random upstream token, exactly as it
 * would relay to GitHub. For trying git-warden out only.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(DeploymentMode.Demo.class)
class EmbeddedUpstreamConfiguration {

	private static final Log logger = LogFactory.getLog(EmbeddedUpstreamConfiguration.class);

	private final String upstreamToken = randomToken();

	private final Environment environment;

	EmbeddedUpstreamConfiguration(Environment environment) {
		this.environment = environment;
	}

	@Bean(destroyMethod = "close")
	EmbeddedGitServer embeddedGitServer(EmbeddedProperties properties) throws IOException {
		DeploymentMode.checkDemo(this.environment);
		DemoRepositories.seed(properties.repositories());
		EmbeddedGitServer server = EmbeddedGitServer.start(properties.repositories(), this.upstreamToken,
				(receivePack) -> {
				});
		logger.warn("Demo mode (no warden.upstream.*, warden.auth.*, warden.issuer.* or warden.admin.* setting, or "
				+ "warden.mode=demo): serving the embedded demo upstream at " + server.baseUrl()
				+ " from " + properties.repositories().toAbsolutePath().normalize()
				+ ". This mode is for trying git-warden out, not for production.");
		return server;
	}

	@Bean
	UpstreamTarget upstreamTarget(EmbeddedGitServer server) {
		return new UpstreamTarget(server.baseUrl(), new StaticTokenCredentials(this.upstreamToken));
	}

	@Bean
	DemoBanner demoBanner(SessionTokenIssuer issuer, EmbeddedProperties properties) {
		return new DemoBanner(issuer, System.out, properties.repositories());
	}

	private static String randomToken() {
		byte[] bytes = new byte[24];
		new SecureRandom().nextBytes(bytes);
		return HexFormat.of().formatHex(bytes);
	}

}
