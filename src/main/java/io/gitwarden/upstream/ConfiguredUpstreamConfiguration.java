package io.gitwarden.upstream;

import io.gitwarden.config.InvalidConfigurationException;

import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The upstream named by {@code warden.upstream.url}, with its configured credential. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("!'${warden.upstream.url:}'.isEmpty()")
class ConfiguredUpstreamConfiguration {

	@Bean
	UpstreamTarget upstreamTarget(UpstreamProperties properties) {
		if (properties.token() == null) {
			throw new InvalidConfigurationException("warden.upstream.token",
					"warden.upstream.url is set but no upstream credential is configured; set warden.upstream.token");
		}
		return new UpstreamTarget(properties.url(), new StaticTokenCredentials(properties.token()));
	}

}
