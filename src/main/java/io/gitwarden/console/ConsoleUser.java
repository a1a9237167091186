package io.gitwarden.console;

import java.util.Map;

import tools.jackson.databind.node.ObjectNode;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;

/**
 * Who signed in to the console with an OIDC provider, as the audit records it: the registration, the issuer,
 * the {@code sub} and the e-mail address. Never a token.
 *
 * @param provider the registration id ({@code spring.security.oauth2.client.registration.<id>})
 * @param issuer the ID token's {@code iss}, or {@code null}
 * @param subject the ID token's {@code sub}
 * @param email the e-mail claim, or {@code null}
 */
record ConsoleUser(String provider, String issuer, String subject, String email) {

	static ConsoleUser of(String provider, Map<String, Object> claims) {
		return new ConsoleUser(provider, string(claims.get("iss")), string(claims.get("sub")),
				string(claims.get("email")));
	}

	/** The OIDC user of the current request, or {@code null} (signed in with the admin token, or not at all). */
	static ConsoleUser current() {
		Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
		if (authentication instanceof OAuth2AuthenticationToken oauth
				&& oauth.getPrincipal() instanceof OidcUser user) {
			return of(oauth.getAuthorizedClientRegistrationId(), user.getClaims());
		}
		return null;
	}

	/** How people and the audit name the user: the e-mail address if there is one, else the subject. */
	String displayName() {
		return (this.email != null) ? this.email : this.subject;
	}

	void writeTo(ObjectNode admin) {
		ObjectNode user = admin.putObject("user");
		user.put("provider", this.provider);
		if (this.issuer != null) {
			user.put("issuer", this.issuer);
		}
		user.put("subject", this.subject);
		if (this.email != null) {
			user.put("email", this.email);
		}
	}

	private static String string(Object value) {
		return (value != null) ? value.toString() : null;
	}

}
