package io.gitwarden.proxy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import io.gitwarden.policy.PolicyProperties;
import io.gitwarden.protocol.ReceivePackCommandParser;

import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.firewall.RequestRejectedHandler;

/**
 * Web wiring. Spring Security contributes its request firewall (encoded slashes, {@code ..}, control
 * characters are rejected before routing) and response headers; authentication of git requests is
 * done by {@link GitProxyController} itself, because git needs git-shaped answers (401 with a Basic
 * challenge, per-ref push reports) rather than a login flow.
 */
@Configuration(proxyBeanMethods = false)
class ProxyConfiguration {

	private static final int SOCKET_BUFFER_SIZE = 32 * 1024;

	@Bean
	ReceivePackCommandParser receivePackCommandParser(PolicyProperties policy) {
		return new ReceivePackCommandParser(policy.maxCommands(), policy.maxCommandBytes());
	}

	@Bean
	SecurityFilterChain gitSecurityFilterChain(HttpSecurity http) throws Exception {
		return http.csrf(AbstractHttpConfigurer::disable)
			.httpBasic(AbstractHttpConfigurer::disable)
			.formLogin(AbstractHttpConfigurer::disable)
			.logout(AbstractHttpConfigurer::disable)
			.requestCache(AbstractHttpConfigurer::disable)
			.anonymous(AbstractHttpConfigurer::disable)
			.sessionManagement((session) -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.authorizeHttpRequests((requests) -> requests.anyRequest().permitAll())
			.build();
	}

	/**
	 * Tomcat's socket buffers: 32 KiB instead of 8 KiB, so a 64 KiB read or write of a pack is two system
	 * calls rather than eight, and off-heap, so they do not count against the heap (one pair per open
	 * connection: 64 KiB, bounded by {@code server.tomcat.max-connections}) and the JDK needs no
	 * temporary direct copy of each write.
	 */
	@Bean
	WebServerFactoryCustomizer<TomcatServletWebServerFactory> packSizedSocketBuffers() {
		return (factory) -> factory.addConnectorCustomizers((connector) -> {
			connector.setProperty("socket.directBuffer", "true");
			connector.setProperty("socket.appReadBufSize", Integer.toString(SOCKET_BUFFER_SIZE));
			connector.setProperty("socket.appWriteBufSize", Integer.toString(SOCKET_BUFFER_SIZE));
		});
	}

	/** No user store: git-warden has no users, only session tokens. Stops Boot's generated password. */
	@Bean
	AuthenticationManager noUsers() {
		return (authentication) -> {
			throw new BadCredentialsException("git-warden has no user accounts");
		};
	}

	/** Firewall rejections (path tricks) answered as plain text, like every other git-warden refusal. */
	@Bean
	RequestRejectedHandler requestRejectedHandler() {
		return (request, response, ex) -> {
			byte[] body = "git-warden: request rejected: not a valid repository path\n".getBytes(StandardCharsets.UTF_8);
			response.setStatus(400);
			response.setContentType("text/plain;charset=utf-8");
			response.setContentLength(body.length);
			try {
				response.getOutputStream().write(body);
			}
			catch (IOException ignored) {
				// client gone
			}
		};
	}

}
