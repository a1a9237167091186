package io.gitwarden.proxy;

import io.gitwarden.policy.PolicyProperties;
import io.gitwarden.protocol.ReceivePackCommandParser;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wiring of the git endpoint's stages that are not components themselves. */
@Configuration(proxyBeanMethods = false)
class ProxyConfiguration {

	@Bean
	ReceivePackCommandParser receivePackCommandParser(PolicyProperties policy) {
		return new ReceivePackCommandParser(policy.maxCommands(), policy.maxCommandBytes());
	}

}
