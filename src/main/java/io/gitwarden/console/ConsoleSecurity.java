package io.gitwarden.console;

import java.io.IOException;
import java.util.List;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.context.SecurityContextHolderFilter;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The console's own filter chain ({@code /console/**}): a sign-in form that takes the admin token, then a
 * session cookie ({@code WARDEN_CONSOLE}: HTTP-only, {@code SameSite=Strict}, path {@code /console},
 * {@code Secure} when the request came over TLS), CSRF tokens on every form, a strict Content-Security-Policy
 * (the console loads nothing from elsewhere). Unauthenticated requests go to the sign-in page; a POST without
 * a valid CSRF token is refused with 403. Sign-ins, failed sign-ins and refusals are recorded like admin calls.
 */
final class ConsoleSecurity {

	private static final Log logger = LogFactory.getLog(ConsoleSecurity.class);

	static final String LOGIN = "/console/login";

	static final String COOKIE = "WARDEN_CONSOLE";

	static final String CSP = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
			+ "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

	private ConsoleSecurity() {
	}

	static SecurityFilterChain filterChain(HttpSecurity http, ConsoleCredentials credentials) throws Exception {
		LoginUrlAuthenticationEntryPoint login = new LoginUrlAuthenticationEntryPoint(LOGIN);
		return http.securityMatcher("/console", "/console/**")
			.authenticationManager(tokens(credentials))
			.addFilterBefore(new DefaultOutcome(), SecurityContextHolderFilter.class)
			.authorizeHttpRequests((requests) -> requests.requestMatchers(LOGIN, "/console/console.css", "/console/console.js")
				.permitAll()
				.anyRequest()
				.hasRole("ADMIN"))
			.formLogin((form) -> form.loginPage(LOGIN)
				.loginProcessingUrl(LOGIN)
				.usernameParameter("user")
				.passwordParameter("token")
				.successHandler((request, response, authentication) -> {
					ConsoleDetail.attach(request, "sign-in", null, null);
					logger.info("Console sign-in from " + request.getRemoteAddr());
					response.sendRedirect(request.getContextPath() + "/console/sessions");
				})
				.failureHandler((request, response, ex) -> {
					ConsoleDetail.attach(request, "sign-in", null, new Refusal(RefusalReason.ADMIN_TOKEN_INVALID));
					logger.warn("Console sign-in refused from " + request.getRemoteAddr());
					response.sendRedirect(request.getContextPath() + LOGIN + "?error");
				}))
			.logout((logout) -> logout.logoutUrl("/console/logout")
				.deleteCookies(COOKIE)
				.logoutSuccessHandler((request, response, authentication) -> {
					ConsoleDetail.attach(request, "sign-out", null, null);
					response.sendRedirect(request.getContextPath() + LOGIN + "?signed-out");
				}))
			.httpBasic(AbstractHttpConfigurer::disable)
			.requestCache(AbstractHttpConfigurer::disable)
			.sessionManagement((session) -> session.sessionFixation((fixation) -> fixation.changeSessionId()))
			.headers((headers) -> headers.contentSecurityPolicy((csp) -> csp.policyDirectives(CSP))
				.frameOptions((frames) -> frames.deny())
				.referrerPolicy((referrer) -> referrer.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.NO_REFERRER)))
			.exceptionHandling((exceptions) -> exceptions.authenticationEntryPoint((request, response, ex) -> {
				ConsoleDetail.attach(request, "view", null, new Refusal(RefusalReason.CREDENTIALS_MISSING));
				login.commence(request, response, ex);
			}).accessDeniedHandler((request, response, ex) -> {
				// a POST without a valid CSRF token (a cross-site form, or an expired page)
				ConsoleDetail.attach(request, "view", null,
						new Refusal(RefusalReason.REQUEST_REJECTED, "missing or invalid CSRF token"));
				response.sendError(HttpServletResponse.SC_FORBIDDEN, "missing or invalid CSRF token");
			}))
			.build();
	}

	/** The admin token, compared in constant time; the user name field is ignored. */
	private static AuthenticationManager tokens(ConsoleCredentials credentials) {
		return (authentication) -> {
			Object presented = authentication.getCredentials();
			if (!(presented instanceof String token) || !credentials.matches(token)) {
				throw new BadCredentialsException("console token rejected");
			}
			return UsernamePasswordAuthenticationToken.authenticated("admin", null,
					AuthorityUtils.createAuthorityList("ROLE_ADMIN"));
		};
	}

	/**
	 * Every console request leaves an outcome ({@code view}), so the recorder never takes a page for a request
	 * no handler concluded; handlers and the security chain replace it with what they did.
	 */
	private static final class DefaultOutcome extends OncePerRequestFilter {

		@Override
		protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
				throws ServletException, IOException {
			ConsoleDetail.attach(request, "view", null, null);
			chain.doFilter(request, response);
		}

		@Override
		protected boolean shouldNotFilterAsyncDispatch() {
			return true;
		}

	}

	static List<String> publicPaths() {
		return List.of(LOGIN, "/console/console.css", "/console/console.js");
	}

}
