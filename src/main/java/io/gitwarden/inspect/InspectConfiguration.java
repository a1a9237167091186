package io.gitwarden.inspect;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Makes the {@link PushInspector} a bean, so that a bad {@code warden.policy.*} content rule (a glob, an
 * expression) stops startup. Nothing calls it yet: the request path does (issue 11).
 */
@Configuration(proxyBeanMethods = false)
class InspectConfiguration {

	@Bean
	PushInspector pushInspector(ContentPolicyProperties properties) {
		return new PushInspector(properties);
	}

}
