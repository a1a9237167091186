package io.gitwarden.config;

import io.gitwarden.GitWardenApplication;
import io.gitwarden.testsupport.Tokens;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Startup fails, naming the properties, unless exactly one key source and one upstream credential are set. */
class KeyAndCredentialConfigurationTests {

	static final String PUBLIC_KEY = TestKeys.publicPem(TestKeys.ec("secp256r1"));

	static final String ENCRYPTED_KEY = TestKeys.encryptedPkcs8Pem(TestKeys.rsa(), "right");

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = {
			"token=t|  | warden.auth.hmac-secret, warden.auth.public-key, warden.auth.jwks-uri",
			"token=t| hmac-secret=SECRET,jwks-uri=https://issuer.example/jwks | warden.auth.hmac-secret, warden.auth.public-key, warden.auth.jwks-uri",
			"token=t| hmac-secret=SECRET,public-key=PUBLIC | warden.auth.hmac-secret, warden.auth.public-key, warden.auth.jwks-uri",
			"       | hmac-secret=SECRET | warden.upstream.token, warden.upstream.github-app.app-id",
			"token=t,github-app.app-id=1 | hmac-secret=SECRET | warden.upstream.token, warden.upstream.github-app.app-id",
			"github-app.app-id=1 | hmac-secret=SECRET | warden.upstream.github-app.private-key",
			"github-app.app-id=1,github-app.private-key=nonsense | hmac-secret=SECRET | warden.upstream.github-app.private-key",
			"github-app.app-id=1,github-app.private-key=ENCRYPTED | hmac-secret=SECRET | warden.upstream.github-app.private-key-password",
			"github-app.app-id=1,github-app.private-key=ENCRYPTED,github-app.private-key-password=wrong | hmac-secret=SECRET | warden.upstream.github-app.private-key-password",
			"github-app.app-id=1,username=oauth2 | hmac-secret=SECRET | warden.upstream.username",
			"token=t| public-key=nonsense | warden.auth.public-key" })
	void startupFailsNamingTheProperties(String upstream, String auth, String property) {
		SpringApplication application = new SpringApplication(GitWardenApplication.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		java.util.List<String> args = new java.util.ArrayList<>(
				java.util.List.of("--warden.upstream.url=http://127.0.0.1:9", "--spring.main.banner-mode=off"));
		add(args, "warden.upstream.", upstream);
		add(args, "warden.auth.", auth);
		Throwable failure = catchThrowable(() -> {
			try (ConfigurableApplicationContext context = application.run(args.toArray(String[]::new))) {
				// started: the assertion below fails
			}
		});
		Throwable cause = failure;
		while (cause != null && !(cause instanceof InvalidConfigurationException)) {
			cause = cause.getCause();
		}
		assertThat(cause).as("startup failure caused by InvalidConfigurationException").isNotNull();
		assertThat(((InvalidConfigurationException) cause).property()).isEqualTo(property);
		assertThat(cause.getMessage()).doesNotContain(Tokens.SECRET);
	}

	@org.junit.jupiter.api.Test
	void encryptedKeysAreReadWithTheirPasswords() {
		try (ConfigurableApplicationContext context = SpringApplication.run(GitWardenApplication.class,
				"--spring.main.banner-mode=off", "--server.port=0", "--warden.upstream.url=http://127.0.0.1:9", "--warden.upstream.github-app.app-id=1",
				"--warden.upstream.github-app.private-key=" + ENCRYPTED_KEY,
				"--warden.upstream.github-app.private-key-password=right",
				"--warden.issuer.private-key=" + TestKeys.encryptedPkcs8Pem(TestKeys.ec("secp384r1"), "other"),
				"--warden.issuer.private-key-password=other")) {
			assertThat(context.getBean(io.gitwarden.auth.SessionTokenIssuer.class).canIssue()).isTrue();
		}
	}

	private static void add(java.util.List<String> args, String prefix, String settings) {
		if (settings == null) {
			return;
		}
		for (String setting : settings.split(",")) {
			String value = setting.trim().replace("=SECRET", "=" + Tokens.SECRET).replace("=PUBLIC", "=" + PUBLIC_KEY)
				.replace("=ENCRYPTED", "=" + ENCRYPTED_KEY);
			args.add("--" + prefix + value);
		}
	}

}
