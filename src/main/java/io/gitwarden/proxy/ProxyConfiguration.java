package io.gitwarden.proxy;

import io.gitwarden.policy.PolicyProperties;
import io.gitwarden.protocol.ReceivePackCommandParser;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/** Wiring of the git endpoint's stages that are not components themselves. */
@Configuration(proxyBeanMethods = false)
class ProxyConfiguration {

	@Bean
	ReceivePackCommandParser receivePackCommandParser(PolicyProperties policy) {
		return new ReceivePackCommandParser(policy.maxCommands(), policy.maxCommandBytes());
	}

	/** The git routes, served after every other filter and before Spring MVC's dispatcher. */
	@Bean
	FilterRegistrationBean<GitRoutesFilter> gitRoutesFilter(GitEndpoint endpoint) {
		FilterRegistrationBean<GitRoutesFilter> registration = new FilterRegistrationBean<>(new GitRoutesFilter(endpoint));
		registration.setOrder(Ordered.LOWEST_PRECEDENCE);
		return registration;
	}

}
