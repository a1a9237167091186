package io.gitwarden.console;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.gitwarden.GitWardenApplication;
import io.gitwarden.config.InvalidConfigurationException;
import io.gitwarden.testsupport.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.InMemoryClientRegistrationRepository;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.oidc.OidcIdToken;
import org.springframework.security.oauth2.core.oidc.user.DefaultOidcUser;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The console's OIDC configuration: git-warden does not start with a provider but nobody allowed (or a
 * registration that is not OpenID Connect), registrations get the console's redirect URI, and the allowlist
 * admits a {@code sub}, a verified e-mail address or a group, and nobody else.
 */
class ConsoleOidcTests {

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "openid,email | | warden.console.oidc.allowed-users",
			"openid,email | warden.console.oidc.allowed-users= | warden.console.oidc.allowed-users",
			"email | warden.console.oidc.allowed-users=alice@example.com | spring.security.oauth2.client.registration.idp.scope" })
	void startUpFailsNamingTheProperty(String scope, String allow, String property) {
		List<String> args = new ArrayList<>(List.of("--spring.main.banner-mode=off", "--server.port=0",
				"--management.server.port=-1", "--warden.upstream.url=http://127.0.0.1:9",
				"--warden.upstream.token=ghs_t", "--warden.auth.hmac-secret=" + Tokens.SECRET,
				"--warden.admin.token=console-oidc-startup-token", "--warden.console.enabled=true",
				"--spring.security.oauth2.client.registration.idp.client-id=git-warden",
				"--spring.security.oauth2.client.registration.idp.client-secret=s3cret-client",
				"--spring.security.oauth2.client.registration.idp.authorization-grant-type=authorization_code",
				"--spring.security.oauth2.client.registration.idp.scope=" + scope,
				"--spring.security.oauth2.client.registration.idp.redirect-uri={baseUrl}/console/login/oauth2/code/{registrationId}",
				"--spring.security.oauth2.client.provider.idp.authorization-uri=http://127.0.0.1:9/authorize",
				"--spring.security.oauth2.client.provider.idp.token-uri=http://127.0.0.1:9/token",
				"--spring.security.oauth2.client.provider.idp.jwk-set-uri=http://127.0.0.1:9/jwks"));
		if (allow != null) {
			args.add("--" + allow);
		}
		Throwable failure = catchThrowable(() -> {
			try (ConfigurableApplicationContext context = SpringApplication.run(GitWardenApplication.class,
					args.toArray(String[]::new))) {
				// started: the assertion below fails
			}
		});
		Throwable cause = failure;
		while (cause != null && !(cause instanceof InvalidConfigurationException)) {
			cause = cause.getCause();
		}
		assertThat(cause).as("start-up failure caused by InvalidConfigurationException").isNotNull();
		assertThat(((InvalidConfigurationException) cause).property()).isEqualTo(property);
		assertThat(cause.getMessage()).doesNotContain("s3cret-client");
	}

	@Test
	void withoutARegistrationOnlyTheTokenForm() {
		ConsoleOidc oidc = ConsoleOidc.of(null, allow(List.of(), List.of()));
		assertThat(oidc.isEnabled()).isFalse();
		assertThat(oidc.providers()).isEmpty();
	}

	@Test
	void registrationsGetTheConsolesRedirectUri() {
		ConsoleOidc oidc = ConsoleOidc.of(repository(registration("{baseUrl}/{action}/oauth2/code/{registrationId}")),
				allow(List.of("alice@example.com"), List.of()));
		assertThat(oidc.providers()).containsExactly(new ConsoleOidc.Provider("idp", "Example IdP"));
		assertThat(oidc.registrations().findByRegistrationId("idp").getRedirectUri())
			.isEqualTo("{baseUrl}/console/login/oauth2/code/{registrationId}");
		assertThatExceptionOfType(InvalidConfigurationException.class)
			.isThrownBy(() -> ConsoleOidc.of(repository(registration("https://elsewhere.example/callback")),
					allow(List.of("alice@example.com"), List.of())))
			.satisfies((ex) -> assertThat(ex.property())
				.isEqualTo("spring.security.oauth2.client.registration.idp.redirect-uri"));
	}

	@Test
	void theAllowlistAdmitsSubjectsVerifiedAddressesAndGroupsOnly() {
		ConsoleOidc oidc = ConsoleOidc.of(repository(registration(ConsoleOidc.REDIRECT_URI)),
				allow(List.of("Alice@Example.com", "00u1abcd"), List.of("warden-operators")));
		assertThat(oidc.allows(user("a1", Map.of("email", "alice@example.com", "email_verified", true)))).isTrue();
		assertThat(oidc.allows(user("a1", Map.of("email", "alice@example.com", "email_verified", false))))
			.as("unverified e-mail").isFalse();
		assertThat(oidc.allows(user("a1", Map.of("email", "alice@example.com")))).as("not said to be verified")
			.isFalse();
		assertThat(oidc.allows(user("00u1abcd", Map.of()))).as("by sub").isTrue();
		assertThat(oidc.allows(user("b2", Map.of("groups", List.of("developers", "warden-operators"))))).isTrue();
		assertThat(oidc.allows(user("b2", Map.of("groups", "warden-operators")))).as("a single group").isTrue();
		assertThat(oidc.allows(user("b2", Map.of("groups", List.of("developers"))))).isFalse();
		assertThat(oidc.allows(user("alice@example.com", Map.of()))).as("a sub is not an e-mail address").isFalse();
		assertThat(oidc.allows(user("m3", Map.of("email", "mallory@example.com", "email_verified", true)))).isFalse();
	}

	@Test
	void groupsComeFromTheConfiguredClaim() {
		ConsoleOidc oidc = ConsoleOidc.of(repository(registration(ConsoleOidc.REDIRECT_URI)),
				new ConsoleProperties.Oidc(null, List.of("ops"), "roles"));
		assertThat(oidc.allows(user("r1", Map.of("roles", List.of("ops"))))).isTrue();
		assertThat(oidc.allows(user("r1", Map.of("groups", List.of("ops"))))).isFalse();
	}

	private static ConsoleProperties.Oidc allow(List<String> users, List<String> groups) {
		return new ConsoleProperties.Oidc(users, groups, "groups");
	}

	private static InMemoryClientRegistrationRepository repository(ClientRegistration registration) {
		return new InMemoryClientRegistrationRepository(registration);
	}

	private static ClientRegistration registration(String redirectUri) {
		return ClientRegistration.withRegistrationId("idp")
			.clientName("Example IdP")
			.clientId("git-warden")
			.clientSecret("secret")
			.authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
			.redirectUri(redirectUri)
			.scope("openid", "email")
			.authorizationUri("https://idp.example/authorize")
			.tokenUri("https://idp.example/token")
			.jwkSetUri("https://idp.example/jwks")
			.build();
	}

	private static OidcUser user(String subject, Map<String, Object> claims) {
		OidcIdToken.Builder token = OidcIdToken.withTokenValue("id-token")
			.subject(subject)
			.issuer("https://idp.example")
			.issuedAt(Instant.now())
			.expiresAt(Instant.now().plusSeconds(60));
		claims.forEach(token::claim);
		return new DefaultOidcUser(AuthorityUtils.NO_AUTHORITIES, token.build());
	}

}
