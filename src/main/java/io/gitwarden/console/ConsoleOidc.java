package io.gitwarden.console;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.gitwarden.config.InvalidConfigurationException;

import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.endpoint.RestClientAuthorizationCodeTokenResponseClient;
import org.springframework.security.oauth2.client.oidc.authentication.OidcAuthorizationCodeAuthenticationProvider;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserRequest;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserService;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.InMemoryClientRegistrationRepository;
import org.springframework.security.oauth2.client.userinfo.OAuth2UserService;
import org.springframework.security.oauth2.client.web.DefaultOAuth2AuthorizationRequestResolver;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestCustomizers;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestResolver;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizedClientRepository;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.core.oidc.user.DefaultOidcUser;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;

/**
 * Console sign-in with an OIDC provider, when Boot's {@code spring.security.oauth2.client.registration.*}
 * configures one or more: the authorization code flow with PKCE at {@code /console/oauth2/authorization/<id>},
 * the provider's redirect back to {@code /console/login/oauth2/code/<id>}, and deny by default: only the users
 * and groups of {@code warden.console.oidc.*} get the console. Everything else about the console session (the
 * {@code SameSite=Strict} cookie, CSRF, sign-out) is as for the admin-token sign-in. The provider's tokens are
 * used for the sign-in only and not kept.
 */
final class ConsoleOidc {

	static final String AUTHORIZATION_PATH = "/console/oauth2/authorization";

	/** The redirect URI the registrations get when they leave it to Spring's default. */
	static final String REDIRECT_URI = "{baseUrl}" + ConsoleAuthorizationRequests.CALLBACK_PATH + "/{registrationId}";

	private static final Set<String> SPRING_DEFAULT_REDIRECT_URIS = Set.of(
			"{baseUrl}/{action}/oauth2/code/{registrationId}", "{baseUrl}/login/oauth2/code/{registrationId}");

	/** Nothing keeps the provider's access token after the sign-in. */
	private static final OAuth2AuthorizedClientRepository NO_AUTHORIZED_CLIENTS = new OAuth2AuthorizedClientRepository() {

		@Override
		public <T extends OAuth2AuthorizedClient> T loadAuthorizedClient(String clientRegistrationId,
				Authentication principal, HttpServletRequest request) {
			return null;
		}

		@Override
		public void saveAuthorizedClient(OAuth2AuthorizedClient authorizedClient, Authentication principal,
				HttpServletRequest request, HttpServletResponse response) {
		}

		@Override
		public void removeAuthorizedClient(String clientRegistrationId, Authentication principal,
				HttpServletRequest request, HttpServletResponse response) {
		}

	};

	/**
	 * A provider on the sign-in page (its link is {@code /console/oauth2/authorization/<id>}).
	 *
	 * @param id the registration id
	 * @param name its {@code client-name}
	 */
	record Provider(String id, String name) {

	}

	private final InMemoryClientRegistrationRepository registrations;

	private final List<Provider> providers;

	private final ConsoleProperties.Oidc allow;

	private final ConsoleAuthorizationRequests requests = new ConsoleAuthorizationRequests();

	private ConsoleOidc(List<ClientRegistration> registrations, ConsoleProperties.Oidc allow) {
		this.registrations = registrations.isEmpty() ? null : new InMemoryClientRegistrationRepository(registrations);
		this.providers = registrations.stream()
			.map((registration) -> new Provider(registration.getRegistrationId(), registration.getClientName()))
			.toList();
		this.allow = allow;
	}

	/** No provider configured: the admin-token form only. */
	static ConsoleOidc none() {
		return new ConsoleOidc(List.of(), new ConsoleProperties.Oidc(null, null, "groups"));
	}

	/**
	 * The console's sign-in with the configured registrations (Boot's repository), checked: authorization code
	 * with the {@code openid} scope, a redirect URI under the console, and someone allowed.
	 */
	static ConsoleOidc of(ClientRegistrationRepository repository, ConsoleProperties.Oidc allow) {
		if (repository == null) {
			return none();
		}
		if (!(repository instanceof Iterable<?> configured)) {
			throw new InvalidConfigurationException("spring.security.oauth2.client.registration",
					"the console lists the OIDC providers it offers; use Boot's registration properties");
		}
		List<ClientRegistration> registrations = new ArrayList<>();
		for (Object element : configured) {
			registrations.add(check((ClientRegistration) element));
		}
		if (!registrations.isEmpty() && allow.allowsNobody()) {
			throw new InvalidConfigurationException("warden.console.oidc.allowed-users",
					"an OIDC provider is configured for the console (spring.security.oauth2.client.registration."
							+ registrations.get(0).getRegistrationId() + "), but nobody may use it: set "
							+ "warden.console.oidc.allowed-users (e-mail addresses or subjects) and/or "
							+ "warden.console.oidc.allowed-groups");
		}
		return new ConsoleOidc(registrations, allow);
	}

	private static ClientRegistration check(ClientRegistration registration) {
		String property = "spring.security.oauth2.client.registration." + registration.getRegistrationId();
		if (!AuthorizationGrantType.AUTHORIZATION_CODE.equals(registration.getAuthorizationGrantType())) {
			throw new InvalidConfigurationException(property + ".authorization-grant-type",
					"the console signs in with authorization_code");
		}
		if (!registration.getScopes().contains(OidcScopes.OPENID)) {
			throw new InvalidConfigurationException(property + ".scope",
					"the console signs in with OpenID Connect: the scopes must include openid (e.g. openid,email)");
		}
		String redirectUri = registration.getRedirectUri();
		if (SPRING_DEFAULT_REDIRECT_URIS.contains(redirectUri)) {
			return ClientRegistration.withClientRegistration(registration).redirectUri(REDIRECT_URI).build();
		}
		if (!redirectUri.contains(ConsoleAuthorizationRequests.CALLBACK_PATH + "/")) {
			throw new InvalidConfigurationException(property + ".redirect-uri", "the provider redirects back to "
					+ "the console: leave it unset or use " + REDIRECT_URI + " (register https://<git-warden>"
					+ ConsoleAuthorizationRequests.CALLBACK_PATH + "/" + registration.getRegistrationId()
					+ " with the provider)");
		}
		return registration;
	}

	boolean isEnabled() {
		return this.registrations != null;
	}

	List<Provider> providers() {
		return this.providers;
	}

	ClientRegistrationRepository registrations() {
		return this.registrations;
	}

	ConsoleAuthorizationRequests authorizationRequests() {
		return this.requests;
	}

	OAuth2AuthorizedClientRepository authorizedClients() {
		return NO_AUTHORIZED_CLIENTS;
	}

	/** Authorization requests with PKCE ({@code S256}), also for confidential clients. */
	OAuth2AuthorizationRequestResolver authorizationRequestResolver() {
		DefaultOAuth2AuthorizationRequestResolver resolver = new DefaultOAuth2AuthorizationRequestResolver(
				this.registrations, AUTHORIZATION_PATH);
		resolver.setAuthorizationRequestCustomizer(OAuth2AuthorizationRequestCustomizers.withPkce());
		return resolver;
	}

	/** Exchanges the code, verifies the ID token (signature, issuer, audience, nonce), then the allowlist. */
	AuthenticationProvider authenticationProvider() {
		return new OidcAuthorizationCodeAuthenticationProvider(new RestClientAuthorizationCodeTokenResponseClient(),
				userService());
	}

	private OAuth2UserService<OidcUserRequest, OidcUser> userService() {
		OidcUserService delegate = new OidcUserService();
		return (request) -> {
			OidcUser user = delegate.loadUser(request);
			ConsoleUser who = ConsoleUser.of(request.getClientRegistration().getRegistrationId(), user.getClaims());
			if (!allows(user)) {
				throw new NotAllowed(who);
			}
			Set<GrantedAuthority> authorities = new LinkedHashSet<>(user.getAuthorities());
			authorities.add(new SimpleGrantedAuthority("ROLE_ADMIN"));
			return new DefaultOidcUser(authorities, user.getIdToken(), user.getUserInfo());
		};
	}

	/**
	 * Deny by default: the {@code sub} is listed, or the e-mail address is listed and the provider says it is
	 * verified, or one of the user's groups is listed.
	 */
	boolean allows(OidcUser user) {
		for (String allowed : this.allow.allowedUsers()) {
			String entry = allowed.strip();
			if (entry.isEmpty()) {
				continue;
			}
			if (entry.equals(user.getSubject())) {
				return true;
			}
			if (user.getEmail() != null && Boolean.TRUE.equals(user.getEmailVerified())
					&& entry.toLowerCase(Locale.ROOT).equals(user.getEmail().strip().toLowerCase(Locale.ROOT))) {
				return true;
			}
		}
		if (!this.allow.allowedGroups().isEmpty()) {
			Object groups = user.getClaims().get(this.allow.groupsClaim());
			Collection<?> values = (groups instanceof Collection<?> list) ? list
					: (groups != null) ? List.of(groups) : List.of();
			for (Object group : values) {
				if (group != null && this.allow.allowedGroups().contains(group.toString())) {
					return true;
				}
			}
		}
		return false;
	}

	/** Signed in at the provider, but not allowed to use the console. */
	static final class NotAllowed extends OAuth2AuthenticationException {

		private static final long serialVersionUID = 1L;

		private final transient ConsoleUser user;

		NotAllowed(ConsoleUser user) {
			super(new OAuth2Error("access_denied", "not allowed to use the console", null));
			this.user = user;
		}

		ConsoleUser user() {
			return this.user;
		}

	}

}
