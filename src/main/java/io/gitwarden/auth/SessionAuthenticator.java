package io.gitwarden.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;

import org.springframework.stereotype.Component;

/**
 * Finds the session token in a request's {@code Authorization} header and verifies it. git sends it as
 * the HTTP Basic password (any username, as credential helpers and {@code https://x:TOKEN@host} URLs do);
 * a token given as the Basic username with an empty password is accepted too
 * ({@code https://TOKEN@host}); {@code http.extraHeader} sends {@code Bearer <token>}; {@code gh} and
 * other GitHub API clients send {@code token <token>}.
 */
@Component
public class SessionAuthenticator {

	private static final String BASIC = "basic ";

	private static final String BEARER = "bearer ";

	/** GitHub's own scheme, which {@code gh} sends: {@code Authorization: token <token>}. */
	private static final String TOKEN = "token ";

	private final TokenVerifier verifier;

	private final SessionRevocations revocations;

	public SessionAuthenticator(TokenVerifier verifier, SessionRevocations revocations) {
		this.verifier = verifier;
		this.revocations = revocations;
	}

	/**
	 * Verifies a token already taken from the request with {@link #extractToken}: signature and claims.
	 * Revocation is checked separately by {@link #requireActive}, so that the caller can record which
	 * session a revoked token belonged to.
	 * @throws Refusal with a 401 reason when the token is not valid
	 */
	public SessionToken verify(String token) {
		return this.verifier.verify(token);
	}

	/**
	 * @return the session, when it has not been revoked
	 * @throws Refusal ({@link RefusalReason#SESSION_REVOKED}) when it has
	 */
	public SessionToken requireActive(SessionToken session) {
		if (this.revocations.isRevoked(session)) {
			throw new Refusal(RefusalReason.SESSION_REVOKED);
		}
		return session;
	}

	/** The presented token, without verifying it; a 401 refusal when there is none. */
	public static String extractToken(String authorization) {
		if (authorization == null || authorization.isBlank()) {
			throw new Refusal(RefusalReason.CREDENTIALS_MISSING);
		}
		String lower = authorization.toLowerCase(Locale.ROOT);
		if (lower.startsWith(BEARER)) {
			return nonEmpty(authorization.substring(BEARER.length()).trim());
		}
		if (lower.startsWith(TOKEN)) {
			return nonEmpty(authorization.substring(TOKEN.length()).trim());
		}
		if (lower.startsWith(BASIC)) {
			String decoded;
			try {
				decoded = new String(Base64.getDecoder().decode(authorization.substring(BASIC.length()).trim()),
						StandardCharsets.UTF_8);
			}
			catch (IllegalArgumentException ex) {
				throw new Refusal(RefusalReason.TOKEN_INVALID, "malformed Basic credentials");
			}
			int colon = decoded.indexOf(':');
			String user = (colon < 0) ? decoded : decoded.substring(0, colon);
			String password = (colon < 0) ? "" : decoded.substring(colon + 1);
			return nonEmpty(password.isEmpty() ? user : password);
		}
		throw new Refusal(RefusalReason.TOKEN_INVALID, "unsupported authorization scheme");
	}

	private static String nonEmpty(String token) {
		if (token.isEmpty()) {
			throw new Refusal(RefusalReason.CREDENTIALS_MISSING);
		}
		return token;
	}

}
