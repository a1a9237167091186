package io.gitwarden.console;

import java.io.IOException;
import java.net.ServerSocket;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration;
import org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.annotation.web.configuration.OAuth2AuthorizationServerConfiguration;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.core.oidc.endpoint.OidcParameterNames;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * A real OpenID Connect provider for the console's tests: Spring Authorization Server in a small Spring
 * application context of its own, on {@code 127.0.0.1} with a random port, addressed as {@code localhost} (so
 * the console, on {@code 127.0.0.1}, is cross-site to it, as with a real provider). One confidential client
 * that must use PKCE, and users with a password, a verified or unverified e-mail address and groups in the ID
 * token.
 */
final class OidcTestProvider implements AutoCloseable {

	static final String CLIENT_ID = "git-warden-console";

	static final String CLIENT_SECRET = "console-client-secret-" + UUID.randomUUID();

	static final String PASSWORD = "provider-password";

	/**
	 * A user of the provider.
	 *
	 * @param name the user name to sign in with (and {@code sub})
	 * @param email the e-mail address
	 * @param emailVerified whether the provider vouches for it
	 * @param groups the {@code groups} claim
	 */
	record Person(String name, String email, boolean emailVerified, List<String> groups) {

	}

	static final List<Person> PEOPLE = List.of(new Person("alice", "alice@example.com", true, List.of("developers")),
			new Person("bob", "bob@example.com", true, List.of("warden-operators")),
			new Person("carol", "carol@example.com", false, List.of("developers")),
			new Person("mallory", "mallory@example.com", true, List.of("others")));

	private final ConfigurableApplicationContext context;

	private final String issuer;

	private OidcTestProvider(ConfigurableApplicationContext context, String issuer) {
		this.context = context;
		this.issuer = issuer;
	}

	static OidcTestProvider start() throws IOException {
		int port;
		try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
			port = socket.getLocalPort(); // the issuer must name the port before the server starts
		}
		String issuer = "http://localhost:" + port;
		ConfigurableApplicationContext context = new SpringApplicationBuilder(Provider.class)
			.web(WebApplicationType.SERVLET)
			.properties(Map.of("spring.config.name", "oidc-test-provider", "server.address", "127.0.0.1",
					"server.port", port, "spring.main.banner-mode", "off", "oidc.issuer", issuer))
			.run();
		return new OidcTestProvider(context, issuer);
	}

	/** {@code http://localhost:<port>}: what {@code issuer-uri} names and the ID tokens' {@code iss}. */
	String issuer() {
		return this.issuer;
	}

	@Override
	public void close() {
		this.context.close();
	}

	/** Not a {@code @Configuration}: git-warden's own test contexts scan this package and must not find it. */
	@EnableWebSecurity
	@ImportAutoConfiguration({ PropertyPlaceholderAutoConfiguration.class,
			TomcatServletWebServerAutoConfiguration.class, DispatcherServletAutoConfiguration.class,
			WebMvcAutoConfiguration.class, HttpMessageConvertersAutoConfiguration.class,
			SecurityFilterAutoConfiguration.class })
	static class Provider {

		@Bean
		SecurityFilterChain providerSecurity(HttpSecurity http) throws Exception {
			http.authorizeHttpRequests((requests) -> requests.anyRequest().authenticated())
				.oauth2AuthorizationServer((server) -> server.oidc(Customizer.withDefaults()))
				.oauth2ResourceServer((resource) -> resource.jwt(Customizer.withDefaults()))
				.formLogin(Customizer.withDefaults());
			return http.build();
		}

		@Bean
		UserDetailsService users() {
			InMemoryUserDetailsManager users = new InMemoryUserDetailsManager();
			for (Person person : PEOPLE) {
				users.createUser(User.withUsername(person.name()).password("{noop}" + PASSWORD).roles("USER").build());
			}
			return users;
		}

		/** The console's client: confidential, authorization code, PKCE required, no consent page. */
		@Bean
		RegisteredClientRepository clients() {
			return new InMemoryRegisteredClientRepository(RegisteredClient.withId(UUID.randomUUID().toString())
				.clientId(CLIENT_ID)
				.clientSecret("{noop}" + CLIENT_SECRET)
				.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
				.authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
				// a loopback redirect URI: the provider accepts any port (RFC 8252), git-warden's is random
				.redirectUri("http://127.0.0.1/console/login/oauth2/code/idp")
				.scope(OidcScopes.OPENID)
				.scope(OidcScopes.EMAIL)
				.clientSettings(ClientSettings.builder().requireProofKey(true).requireAuthorizationConsent(false).build())
				.build());
		}

		/** The ID token carries the e-mail address, whether it is verified, and the groups. */
		@Bean
		OAuth2TokenCustomizer<JwtEncodingContext> idTokenClaims() {
			return (context) -> {
				if (!OidcParameterNames.ID_TOKEN.equals(context.getTokenType().getValue())) {
					return;
				}
				String name = context.getPrincipal().getName();
				PEOPLE.stream().filter((person) -> person.name().equals(name)).findFirst().ifPresent((person) -> context
					.getClaims()
					.claim("email", person.email())
					.claim("email_verified", person.emailVerified())
					.claim("groups", person.groups()));
			};
		}

		@Bean
		JWKSource<SecurityContext> keys() throws NoSuchAlgorithmException {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
			generator.initialize(2048);
			KeyPair pair = generator.generateKeyPair();
			RSAKey key = new RSAKey.Builder((RSAPublicKey) pair.getPublic()).privateKey((RSAPrivateKey) pair.getPrivate())
				.keyID(UUID.randomUUID().toString())
				.build();
			return new ImmutableJWKSet<>(new JWKSet(key));
		}

		@Bean
		JwtDecoder jwtDecoder(JWKSource<SecurityContext> keys) {
			return OAuth2AuthorizationServerConfiguration.jwtDecoder(keys);
		}

		@Bean
		AuthorizationServerSettings settings(Environment environment) {
			return AuthorizationServerSettings.builder().issuer(environment.getRequiredProperty("oidc.issuer")).build();
		}

	}

}
