package io.gitwarden.githubapi;

import io.gitwarden.config.DeploymentMode;
import io.gitwarden.upstream.UpstreamProperties;
import io.gitwarden.upstream.UpstreamTarget;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The GitHub API target: {@code warden.upstream.api-url} (else the GitHub App's API URL, else
 * {@code https://api.github.com}) with the configured upstream credential; none in demo mode.
 */
@Configuration(proxyBeanMethods = false)
class GitHubApiConfiguration {

	@Bean
	GitHubApiTarget gitHubApiTarget(UpstreamProperties properties, UpstreamTarget upstream, Environment environment) {
		if (DeploymentMode.isDemo(environment)) {
			return GitHubApiTarget.NONE;
		}
		return GitHubApiTarget.of(properties.githubApiUrl(), upstream.credentials());
	}

}
