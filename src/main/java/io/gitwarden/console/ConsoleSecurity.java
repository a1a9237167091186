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
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.context.SecurityContextHolderFilter;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.HtmlUtils;

/**
 * The console's own filter chain ({@code /console/**}): a sign-in form that takes the admin token (and, when
 * a provider is configured, sign-in with OIDC, see {@link ConsoleOidc}), then a session cookie ({@code WARDEN_CONSOLE}: HTTP-only, {@code SameSite=Strict}, path {@code /console},
 * {@code Secure} when the request came over TLS), CSRF tokens on every form, a strict Content-Security-Policy
 * (the console loads nothing from elsewhere). Unauthenticated requests go to the sign-in page; a POST without
 * a valid CSRF token is refused with 403. Sign-ins, failed sign-ins and refusals are recorded like admin calls.
 */
final class ConsoleSecurity {

	private static final Log logger = LogFactory.getLog(ConsoleSecurity.class);

	static final String LOGIN = "/console/login";

	static final String NOT_ALLOWED = "/console/not-allowed";

	static final String COOKIE = "WARDEN_CONSOLE";

	static final String CSP = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
			+ "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

	private ConsoleSecurity() {
	}

	static SecurityFilterChain filterChain(HttpSecurity http, ConsoleCredentials credentials, ConsoleOidc oidc)
			throws Exception {
		LoginUrlAuthenticationEntryPoint login = new LoginUrlAuthenticationEntryPoint(LOGIN);
		if (oidc.isEnabled()) {
			http.oauth2Login((oauth) -> oauth.loginPage(LOGIN)
				.clientRegistrationRepository(oidc.registrations())
				.authorizedClientRepository(oidc.authorizedClients())
				.authorizationEndpoint((authorization) -> authorization.baseUri(ConsoleOidc.AUTHORIZATION_PATH)
					.authorizationRequestResolver(oidc.authorizationRequestResolver())
					.authorizationRequestRepository(oidc.authorizationRequests()))
				.redirectionEndpoint((redirection) -> redirection.baseUri(ConsoleAuthorizationRequests.CALLBACK_PATH + "/*"))
				.successHandler(ConsoleSecurity::oidcSignedIn)
				.failureHandler(ConsoleSecurity::oidcRefused));
		}
		AuthenticationManager manager = oidc.isEnabled()
				? new ProviderManager(tokens(credentials), oidc.authenticationProvider())
				: new ProviderManager(tokens(credentials));
		return http.securityMatcher("/console", "/console/**")
			.authenticationManager(manager)
			.addFilterBefore(new DefaultOutcome(), SecurityContextHolderFilter.class)
			.authorizeHttpRequests((requests) -> requests.requestMatchers(publicPaths().toArray(String[]::new))
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
	private static AuthenticationProvider tokens(ConsoleCredentials credentials) {
		return new AuthenticationProvider() {

			@Override
			public Authentication authenticate(Authentication authentication) {
				Object presented = authentication.getCredentials();
				if (!(presented instanceof String token) || !credentials.matches(token)) {
					throw new BadCredentialsException("console token rejected");
				}
				return UsernamePasswordAuthenticationToken.authenticated("admin", null,
						AuthorityUtils.createAuthorityList("ROLE_ADMIN"));
			}

			@Override
			public boolean supports(Class<?> authentication) {
				return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
			}

		};
	}

	/**
	 * Signed in with the provider and allowed. The answer is a page that moves on to the sessions page itself
	 * rather than a redirect: this request is the end of the provider's cross-site redirect, and a redirect from
	 * it would still be cross-site, so the browser would not send the new {@code SameSite=Strict} session
	 * cookie with it; the page's own navigation is same-site.
	 */
	private static void oidcSignedIn(HttpServletRequest request, HttpServletResponse response,
			Authentication authentication) throws IOException {
		ConsoleUser user = (authentication instanceof OAuth2AuthenticationToken oauth
				&& oauth.getPrincipal() instanceof OidcUser oidcUser)
						? ConsoleUser.of(oauth.getAuthorizedClientRegistrationId(), oidcUser.getClaims()) : null;
		ConsoleDetail.attach(request, "sign-in", null, null, user);
		logger.info("Console sign-in of " + ((user != null) ? user.displayName() + " (" + user.provider() + ")" : "?")
				+ " from " + request.getRemoteAddr());
		String sessions = HtmlUtils.htmlEscape(request.getContextPath() + "/console/sessions");
		String css = HtmlUtils.htmlEscape(request.getContextPath() + "/console/console.css");
		response.setStatus(HttpServletResponse.SC_OK);
		response.setContentType("text/html;charset=UTF-8");
		response.setHeader("Cache-Control", "no-store");
		response.getWriter()
			.write("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Signed in · git-warden</title>"
					+ "<meta http-equiv=\"refresh\" content=\"0;url=" + sessions + "\">"
					+ "<link rel=\"stylesheet\" href=\"" + css + "\"></head>\n<body class=\"login\">"
					+ "<main class=\"login-box\"><h1>git-warden console</h1><p id=\"signed-in\">Signed in. "
					+ "<a href=\"" + sessions + "\">Continue to the console</a></p></main></body></html>\n");
	}

	/**
	 * The provider's sign-in did not end in the console: a user who is not allowed gets 403 and a page that says
	 * so; a cancelled, expired or invalid sign-in goes back to the sign-in page. Both are recorded.
	 */
	private static void oidcRefused(HttpServletRequest request, HttpServletResponse response,
			AuthenticationException ex) throws IOException, ServletException {
		if (ex instanceof ConsoleOidc.NotAllowed notAllowed && notAllowed.user() != null) {
			ConsoleUser user = notAllowed.user();
			ConsoleDetail.attach(request, "sign-in", null,
					new Refusal(RefusalReason.CONSOLE_USER_NOT_ALLOWED, user.displayName()), user);
			logger.warn("Console sign-in refused for " + user.displayName() + " (" + user.provider()
					+ "): not in warden.console.oidc.allowed-users or allowed-groups");
			request.setAttribute(NOT_ALLOWED_USER, user.displayName());
			response.setStatus(HttpServletResponse.SC_FORBIDDEN);
			request.getRequestDispatcher(NOT_ALLOWED).forward(request, response);
			return;
		}
		String error = (ex instanceof OAuth2AuthenticationException oauth) ? oauth.getError().getErrorCode()
				: "not valid";
		ConsoleDetail.attach(request, "sign-in", null, new Refusal(RefusalReason.CONSOLE_SIGN_IN_FAILED, error), null);
		logger.warn("Console sign-in with an OIDC provider failed from " + request.getRemoteAddr() + ": " + error);
		response.sendRedirect(request.getContextPath() + LOGIN + "?oidc-error");
	}

	/** The request attribute that names the user the not-allowed page is about. */
	static final String NOT_ALLOWED_USER = ConsoleSecurity.class.getName() + ".notAllowedUser";

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
		return List.of(LOGIN, NOT_ALLOWED, "/console/console.css", "/console/console.js");
	}

}
