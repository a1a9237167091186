package io.gitwarden.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Guards every {@code /admin/**} handler (the API and the admin 404 fallback) before it runs:
 * <ul>
 * <li>no admin token configured: {@code 404}, as if there were no admin API at all;</li>
 * <li>no {@code Authorization: Bearer <warden.admin.token>}, or another token: {@code 401} with a
 * {@code Bearer} challenge. The comparison is constant-time ({@link MessageDigest#isEqual}), and session
 * JWTs are never accepted here: only the one admin token is.</li>
 * </ul>
 * This is a Spring MVC interceptor rather than a second Spring Security filter chain: the whole
 * application keeps one permit-all chain (firewall and headers only), and both kinds of credential,
 * git's and the admin's, are checked next to the handlers that use them.
 */
final class AdminAuthentication implements HandlerInterceptor {

	private static final String BEARER = "bearer ";

	private final byte[] token;

	AdminAuthentication(AdminProperties properties) {
		this.token = properties.isEnabled() ? properties.token().getBytes(StandardCharsets.UTF_8) : null;
	}

	@Override
	public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
			throws IOException {
		if (this.token == null) {
			AdminErrors.write(response, HttpServletResponse.SC_NOT_FOUND, "not_found", "no such endpoint");
			return false;
		}
		if (!isAdmin(request.getHeader("Authorization"))) {
			response.setHeader("WWW-Authenticate", "Bearer realm=\"git-warden-admin\"");
			AdminErrors.write(response, HttpServletResponse.SC_UNAUTHORIZED, "unauthorized",
					"send 'Authorization: Bearer <warden.admin.token>'");
			return false;
		}
		return true;
	}

	private boolean isAdmin(String authorization) {
		if (authorization == null || !authorization.toLowerCase(Locale.ROOT).startsWith(BEARER)) {
			return false;
		}
		byte[] presented = authorization.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8);
		return MessageDigest.isEqual(this.token, presented);
	}

}
