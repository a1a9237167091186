package io.gitwarden.upstream;

import java.time.Clock;

import io.gitwarden.config.DeploymentMode;
import io.gitwarden.config.InvalidConfigurationException;
import io.gitwarden.config.PemKeys;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The upstream named by {@code warden.upstream.url} ({@link DeploymentMode relay mode}), with exactly one
 * configured credential source: a static token or a GitHub App.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(DeploymentMode.Relay.class)
class ConfiguredUpstreamConfiguration {

	static final String SOURCES = "warden.upstream.token, warden.upstream.github-app.app-id";

	@Bean
	UpstreamTarget upstreamTarget(UpstreamProperties properties, Clock clock, Environment environment) {
		DeploymentMode.checkRelay(environment, properties.url());
		return new UpstreamTarget(properties.url(), credentials(properties, clock));
	}

	static UpstreamCredentials credentials(UpstreamProperties properties, Clock clock) {
		UpstreamProperties.GitHubApp app = properties.githubApp();
		if (properties.token() != null && app.isConfigured()) {
			throw new InvalidConfigurationException(SOURCES,
					"both a static upstream token and a GitHub App are configured; set exactly one");
		}
		if (properties.token() != null) {
			return new StaticTokenCredentials(properties.username(), properties.token());
		}
		if (app.isConfigured() && !StaticTokenCredentials.GITHUB_USERNAME.equals(properties.username())) {
			throw new InvalidConfigurationException("warden.upstream.username", "a GitHub App's installation tokens "
					+ "are sent as " + StaticTokenCredentials.GITHUB_USERNAME + "; remove warden.upstream.username");
		}
		if (!app.isConfigured()) {
			throw new InvalidConfigurationException(SOURCES, "warden.upstream.url is set but no upstream credential "
					+ "is configured; set warden.upstream.token or the warden.upstream.github-app.* settings");
		}
		if (app.appId() == null) {
			throw new InvalidConfigurationException("warden.upstream.github-app.app-id",
					"the GitHub App's id is required");
		}
		if (app.privateKey() == null) {
			throw new InvalidConfigurationException("warden.upstream.github-app.private-key",
					"the GitHub App's private key (PEM) is required");
		}
		String property = "warden.upstream.github-app.private-key";
		java.security.PrivateKey key = PemKeys.privateKey(property, app.privateKey(),
				app.privateKeyPassword());
		if (!(key instanceof java.security.interfaces.RSAPrivateKey)) {
			throw new InvalidConfigurationException(property, "a GitHub App key is an RSA key (RS256)");
		}
		GitHubAppClient client = new GitHubAppClient(app.apiUrl(), app.appId(), key, app.timeout(), clock);
		return new GitHubAppCredentials(client, app.installationId(), clock);
	}

}
