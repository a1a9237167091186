package io.gitwarden.console;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseCookie;
import org.springframework.security.oauth2.client.web.AuthorizationRequestRepository;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;

/**
 * Where an OIDC sign-in keeps its authorization request (state, nonce, PKCE verifier) between the redirect to
 * the provider and the provider's redirect back. Not in the HTTP session: the console's session cookie is
 * {@code SameSite=Strict}, and the browser does not send it on the provider's cross-site redirect back. The
 * request stays on the server (bounded, for {@link #TTL}); the browser holds only a random key in a cookie of
 * its own, {@code WARDEN_CONSOLE_OIDC}: {@code HttpOnly}, {@code SameSite=Lax} (sent on that top-level
 * redirect), {@code Path=/console/login/oauth2/code} (sent nowhere else), {@code Secure} over TLS, and used
 * once. The callback must also carry the request's {@code state}. The console session itself starts after
 * the callback, with a new {@code SameSite=Strict} cookie.
 */
final class ConsoleAuthorizationRequests implements AuthorizationRequestRepository<OAuth2AuthorizationRequest> {

	static final String COOKIE = "WARDEN_CONSOLE_OIDC";

	static final String CALLBACK_PATH = "/console/login/oauth2/code";

	/** How long a person has to sign in at the provider. */
	static final Duration TTL = Duration.ofMinutes(10);

	private static final int MAX_PENDING = 10_000;

	private final SecureRandom random = new SecureRandom();

	private final Cache<String, OAuth2AuthorizationRequest> pending = Caffeine.newBuilder()
		.maximumSize(MAX_PENDING)
		.expireAfterWrite(TTL)
		.build();

	@Override
	public OAuth2AuthorizationRequest loadAuthorizationRequest(HttpServletRequest request) {
		String key = key(request);
		if (key == null) {
			return null;
		}
		OAuth2AuthorizationRequest authorizationRequest = this.pending.getIfPresent(key);
		String state = request.getParameter(OAuth2ParameterNames.STATE);
		if (authorizationRequest == null || state == null || !state.equals(authorizationRequest.getState())) {
			return null;
		}
		return authorizationRequest;
	}

	@Override
	public void saveAuthorizationRequest(OAuth2AuthorizationRequest authorizationRequest, HttpServletRequest request,
			HttpServletResponse response) {
		if (authorizationRequest == null) {
			removeAuthorizationRequest(request, response);
			return;
		}
		byte[] bytes = new byte[32];
		this.random.nextBytes(bytes);
		String key = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
		this.pending.put(key, authorizationRequest);
		setCookie(request, response, key, TTL);
	}

	@Override
	public OAuth2AuthorizationRequest removeAuthorizationRequest(HttpServletRequest request,
			HttpServletResponse response) {
		OAuth2AuthorizationRequest authorizationRequest = loadAuthorizationRequest(request);
		String key = key(request);
		if (key != null) {
			this.pending.invalidate(key); // used once
			setCookie(request, response, "", Duration.ZERO);
		}
		return authorizationRequest;
	}

	private static void setCookie(HttpServletRequest request, HttpServletResponse response, String value,
			Duration maxAge) {
		ResponseCookie cookie = ResponseCookie.from(COOKIE, value)
			.path(request.getContextPath() + CALLBACK_PATH)
			.httpOnly(true)
			.secure(request.isSecure())
			.sameSite("Lax")
			.maxAge(maxAge)
			.build();
		response.addHeader(HttpHeaders.SET_COOKIE, cookie.toString());
	}

	private static String key(HttpServletRequest request) {
		Cookie[] cookies = request.getCookies();
		if (cookies == null) {
			return null;
		}
		for (Cookie cookie : cookies) {
			if (COOKIE.equals(cookie.getName()) && !cookie.getValue().isEmpty()) {
				return cookie.getValue();
			}
		}
		return null;
	}

}
