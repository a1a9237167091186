package io.gitwarden.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Locale;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.authentication.AuthenticationEntryPointFailureHandler;
import org.springframework.security.web.authentication.AuthenticationFilter;

/**
 * The admin API's own Spring Security filter chain ({@code /admin/**}): stateless, authenticated by
 * {@code Authorization: Bearer <warden.admin.token>} only (compared in constant time; session JWTs are
 * never accepted), no sessions, no CSRF (no cookies). Without an admin token every {@code /admin/...}
 * path answers 404, as if there were no admin API. Failed logins are recorded like every other refused
 * request, with {@code operation: "admin"}.
 */
@Configuration(proxyBeanMethods = false)
class AdminSecurity {

	static final String REALM = "Bearer realm=\"git-warden-admin\"";

	@Bean
	@Order(1)
	SecurityFilterChain adminSecurityFilterChain(HttpSecurity http, AdminProperties properties) throws Exception {
		AuthenticationEntryPoint entryPoint = (request, response, ex) -> unauthorized(request, response, ex, properties);
		AuthenticationFilter bearer = new AuthenticationFilter(adminTokens(properties), AdminSecurity::presented);
		bearer.setSuccessHandler((request, response, authentication) -> {
			// continue the chain: the filter itself does
		});
		bearer.setFailureHandler(new AuthenticationEntryPointFailureHandler(entryPoint));
		return http.securityMatcher("/admin/**")
			.csrf(AbstractHttpConfigurer::disable)
			.httpBasic(AbstractHttpConfigurer::disable)
			.formLogin(AbstractHttpConfigurer::disable)
			.logout(AbstractHttpConfigurer::disable)
			.requestCache(AbstractHttpConfigurer::disable)
			.anonymous(AbstractHttpConfigurer::disable)
			.sessionManagement((session) -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.addFilterBefore(bearer, AuthorizationFilter.class)
			.authorizeHttpRequests((requests) -> requests.anyRequest().authenticated())
			.exceptionHandling((exceptions) -> exceptions.authenticationEntryPoint(entryPoint))
			.build();
	}

	/** The presented bearer token, or {@code null} when there is none (then the entry point answers). */
	private static AbstractAuthenticationToken presented(HttpServletRequest request) {
		String authorization = request.getHeader("Authorization");
		if (authorization == null || !authorization.toLowerCase(Locale.ROOT).startsWith("bearer ")) {
			return null;
		}
		return new AdminToken(authorization.substring("bearer ".length()).trim(), false);
	}

	private static AuthenticationManager adminTokens(AdminProperties properties) {
		byte[] expected = properties.isEnabled() ? properties.token().getBytes(StandardCharsets.UTF_8) : null;
		return (authentication) -> {
			byte[] presented = ((String) authentication.getCredentials()).getBytes(StandardCharsets.UTF_8);
			if (expected == null || !MessageDigest.isEqual(expected, presented)) {
				throw new BadCredentialsException("admin token rejected");
			}
			return new AdminToken(null, true);
		};
	}

	private static void unauthorized(HttpServletRequest request, HttpServletResponse response,
			AuthenticationException ex, AdminProperties properties) throws IOException {
		if (!properties.isEnabled()) {
			AdminAudit.attach(request, "unknown",
					new Refusal(RefusalReason.NOT_A_GIT_ENDPOINT), null);
			AdminErrors.write(response, HttpServletResponse.SC_NOT_FOUND, "not_found", "no such endpoint");
			return;
		}
		boolean presented = ex instanceof BadCredentialsException;
		Refusal refusal = presented ? new Refusal(RefusalReason.ADMIN_TOKEN_INVALID)
				: new Refusal(RefusalReason.CREDENTIALS_MISSING);
		AdminAudit.attach(request, AdminAudit.action(request), refusal, null);
		response.setHeader("WWW-Authenticate", REALM);
		AdminErrors.write(response, HttpServletResponse.SC_UNAUTHORIZED, "unauthorized",
				"send 'Authorization: Bearer <warden.admin.token>'");
	}

	/** The admin's authentication: the presented token before, the one admin after. */
	private static final class AdminToken extends AbstractAuthenticationToken {

		private static final long serialVersionUID = 1L;

		private final transient String token;

		AdminToken(String token, boolean authenticated) {
			super(authenticated ? AuthorityUtils.createAuthorityList("ROLE_ADMIN") : List.of());
			this.token = token;
			setAuthenticated(authenticated);
		}

		@Override
		public Object getCredentials() {
			return this.token;
		}

		@Override
		public Object getPrincipal() {
			return "admin";
		}

		@Override
		public String toString() {
			return "AdminToken[authenticated=" + isAuthenticated() + "]";
		}

	}

}
