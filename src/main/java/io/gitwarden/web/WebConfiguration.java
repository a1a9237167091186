package io.gitwarden.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import io.gitwarden.exchange.ExchangeListener;
import io.gitwarden.exchange.ExchangeRecorder;
import io.gitwarden.exchange.Outcome;
import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.firewall.StrictHttpFirewall;

/**
 * The web server and the request edge: Tomcat's connector settings, the {@link ExchangeRecorder} that
 * records every request, Spring Security's request firewall and the filter chain of the git routes.
 */
@Configuration(proxyBeanMethods = false)
class WebConfiguration {

	/** Off-heap socket buffer per connection and direction. */
	private static final int SOCKET_BUFFER_SIZE = 32 * 1024;

	/** Longest wait for the next bytes of a request body (headers have {@code server.tomcat.connection-timeout}). */
	static final Duration UPLOAD_TIMEOUT = Duration.ofSeconds(60);

	@Bean
	ExchangeRecorder exchangeRecorder(List<ExchangeListener> listeners, ObjectProvider<MeterRegistry> registry) {
		ExchangeRecorder recorder = new ExchangeRecorder(listeners);
		registry.ifAvailable((meters) -> {
			Gauge.builder("warden.requests.active", recorder, ExchangeRecorder::active)
				.description("Requests being served")
				.register(meters);
			FunctionCounter.builder("warden.recording.failures", recorder, ExchangeRecorder::failures)
				.description("Requests whose record could not be built or written by a listener")
				.register(meters);
		});
		return recorder;
	}

	/**
	 * The recorder as an engine valve (after any trusted-proxy valve, so it sees the client's address),
	 * and connector settings:
	 * <ul>
	 * <li>32 KiB off-heap socket buffers: a 64 KiB read or write of a pack is two system calls, and the
	 * buffers do not count against the heap (bounded by {@code server.tomcat.max-connections});</li>
	 * <li>a short timeout for request lines and headers ({@code server.tomcat.connection-timeout}) and a
	 * longer one between the bytes of a request body ({@value #UPLOAD_TIMEOUT}).</li>
	 * </ul>
	 */
	@Bean
	WebServerFactoryCustomizer<TomcatServletWebServerFactory> gitWardenTomcat(ExchangeRecorder recorder) {
		return new OrderedCustomizer(recorder);
	}

	/** Runs after Boot's own Tomcat customizer, which adds the trusted-proxy valve when configured. */
	private static final class OrderedCustomizer implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

		private final ExchangeRecorder recorder;

		OrderedCustomizer(ExchangeRecorder recorder) {
			this.recorder = recorder;
		}

		@Override
		public void customize(TomcatServletWebServerFactory factory) {
			factory.addEngineValves(this.recorder);
			factory.addConnectorCustomizers((connector) -> {
				connector.setProperty("socket.directBuffer", "true");
				connector.setProperty("socket.appReadBufSize", Integer.toString(SOCKET_BUFFER_SIZE));
				connector.setProperty("socket.appWriteBufSize", Integer.toString(SOCKET_BUFFER_SIZE));
				connector.setProperty("disableUploadTimeout", "false");
				connector.setProperty("connectionUploadTimeout", Long.toString(UPLOAD_TIMEOUT.toMillis()));
			});
		}

		@Override
		public int getOrder() {
			return Ordered.LOWEST_PRECEDENCE;
		}

	}

	/**
	 * The management endpoints (on {@code management.server.port}, 8081 by default, so they are never
	 * reachable through the git port): health, info and prometheus without a token, everything else denied,
	 * whatever {@code management.endpoints.web.exposure} says.
	 */
	@Bean
	@Order(2)
	SecurityFilterChain managementSecurityFilterChain(HttpSecurity http) throws Exception {
		return http.securityMatcher(EndpointRequest.toAnyEndpoint())
			.csrf(AbstractHttpConfigurer::disable)
			.httpBasic(AbstractHttpConfigurer::disable)
			.formLogin(AbstractHttpConfigurer::disable)
			.logout(AbstractHttpConfigurer::disable)
			.requestCache(AbstractHttpConfigurer::disable)
			.sessionManagement((session) -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.authorizeHttpRequests((requests) -> requests.requestMatchers(EndpointRequest.to("health", "info", "prometheus"))
				.permitAll()
				.anyRequest()
				.denyAll())
			.build();
	}

	/**
	 * The git routes: git-warden authenticates them itself, with git-shaped answers. Every request passes
	 * through this chain, so it keeps only what acts on a git request: the firewall (in front of every
	 * chain) and the security headers. No security context, session, servlet API wrapper, exception
	 * translation or authorization filter: nothing here has a Spring Security principal, and each of them
	 * cost every request a little (issue 19).
	 */
	@Bean
	SecurityFilterChain gitSecurityFilterChain(HttpSecurity http) throws Exception {
		return http.csrf(AbstractHttpConfigurer::disable)
			.httpBasic(AbstractHttpConfigurer::disable)
			.formLogin(AbstractHttpConfigurer::disable)
			.logout(AbstractHttpConfigurer::disable)
			.requestCache(AbstractHttpConfigurer::disable)
			.anonymous(AbstractHttpConfigurer::disable)
			.securityContext(AbstractHttpConfigurer::disable)
			.sessionManagement(AbstractHttpConfigurer::disable)
			.servletApi(AbstractHttpConfigurer::disable)
			.exceptionHandling(AbstractHttpConfigurer::disable)
			.build();
	}

	/**
	 * No Spring Security observations: without this its filter chain proxy wraps every filter of every
	 * chain in an observation (a no-op one when {@code management.observations.enable.spring.security} is
	 * false, but still a wrapper and a lookup per filter and request). git-warden records requests itself
	 * ({@code warden_*} meters, the audit trail) and Boot's {@code http.server.requests} remains.
	 */
	@Bean
	static SecurityObservationSettings securityObservationSettings() {
		return SecurityObservationSettings.noObservations();
	}

	/**
	 * Spring Security's firewall for paths (encoded slashes, {@code ..}, control characters, non-ASCII are
	 * rejected before routing), but not for header values: it checks those lazily, when a header is first
	 * read, which would make a handler fail half-way (and put the offending value, say a session token, in
	 * an exception message). git-warden reads few headers and validates each itself.
	 */
	@Bean
	HttpFirewall httpFirewall() {
		StrictHttpFirewall firewall = new StrictHttpFirewall();
		firewall.setAllowedHeaderNames((name) -> true);
		firewall.setAllowedHeaderValues((value) -> true);
		return firewall;
	}

	/** No user store: git-warden has no users, only session tokens. Stops Boot's generated password. */
	@Bean
	AuthenticationManager noUsers() {
		return (authentication) -> {
			throw new BadCredentialsException("git-warden has no user accounts");
		};
	}

	/** Firewall rejections (path tricks) answered as plain text, like every other refusal, and recorded. */
	@Bean
	RequestRejectedHandler requestRejectedHandler() {
		return (request, response, ex) -> {
			Refusal refusal = new Refusal(RefusalReason.REQUEST_REJECTED, "not a valid repository path");
			Outcome.refused("rejected", refusal).attachTo(request);
			RequestBodies.abandon(request);
			byte[] body = ("git-warden: " + refusal.getMessage() + "\n").getBytes(StandardCharsets.UTF_8);
			response.setStatus(RefusalStatus.of(refusal.reason()));
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
