package io.gitwarden.embedded;

import java.util.ArrayList;
import java.util.List;

import io.gitwarden.GitWardenApplication;
import io.gitwarden.config.InvalidConfigurationException;
import io.gitwarden.config.TestKeys;
import io.gitwarden.testsupport.Tokens;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A partial configuration never falls back to the demo (issue 10, defect 6): start-up fails naming the
 * missing or refused property, starts no embedded upstream and prints no token.
 */
@ExtendWith(OutputCaptureExtension.class)
class DemoModeFailsClosedTests {

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			secret without upstream      | --warden.auth.hmac-secret=SECRET                                             | warden.upstream.url
			misspelt upstream url        | --warden.upstream.urll=https://github.com --warden.auth.hmac-secret=SECRET   | warden.upstream.url
			token without upstream       | --warden.upstream.token=ghp_x                                                | warden.upstream.url
			issuer key without upstream  | --warden.issuer.private-key=ISSUER_KEY                                       | warden.upstream.url
			admin token without upstream | --warden.admin.token=0123456789abcdef                                        | warden.upstream.url
			explicit relay               | --warden.mode=relay                                                          | warden.upstream.url
			demo with a secret           | --warden.mode=demo --warden.auth.hmac-secret=SECRET                          | warden.auth.hmac-secret
			demo with an issuer key      | --warden.mode=demo --warden.issuer.private-key=ISSUER_KEY                    | warden.issuer.private-key
			demo with an upstream        | --warden.mode=demo --warden.upstream.url=https://github.com                  | warden.upstream.url
			unknown mode                 | --warden.mode=demonstration --warden.upstream.url=https://github.com --warden.upstream.token=t --warden.auth.hmac-secret=SECRET | warden.mode
			""")
	void startupFailsNamingThePropertyAndStartsNoDemo(String name, String settings, String property,
			CapturedOutput output) {
		List<String> args = new ArrayList<>(List.of("--server.port=0", "--spring.main.banner-mode=off"));
		for (String setting : settings.trim().split("\\s+")) {
			args.add(setting.replace("=SECRET", "=" + Tokens.SECRET)
				.replace("=ISSUER_KEY", "=" + TestKeys.pkcs8Pem(TestKeys.ec("secp256r1")).replace("\n", "\\n")));
		}
		Throwable failure = catchThrowable(() -> {
			try (ConfigurableApplicationContext context = SpringApplication.run(GitWardenApplication.class,
					args.toArray(String[]::new))) {
				// started: the assertions below fail
			}
		});
		assertThat(failure).as("start-up failure").isNotNull();
		if (!"warden.mode".equals(property)) {
			Throwable cause = failure;
			while (cause != null && !(cause instanceof InvalidConfigurationException)) {
				cause = cause.getCause();
			}
			assertThat(cause).as("caused by InvalidConfigurationException").isNotNull();
			assertThat(((InvalidConfigurationException) cause).property()).isEqualTo(property);
			assertThat(output.getAll()).contains("git-warden configuration is invalid: " + property + ":");
		}
		else {
			assertThat(output.getAll()).contains("warden.mode");
		}
		assertThat(output.getAll()).doesNotContain("git-warden demo mode", "export WARDEN_TOKEN",
				"serving the embedded demo upstream", Tokens.SECRET);
	}

}
