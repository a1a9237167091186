package io.gitwarden.auth;

import io.gitwarden.refusal.Refusal;

/** Turns a presented session token into a {@link SessionToken}, or refuses it. */
public interface TokenVerifier {

	/**
	 * @param token the compact JWT as presented by the client
	 * @return the verified session
	 * @throws Refusal with a 401 reason when the token is not acceptable
	 */
	SessionToken verify(String token);

}
