package io.gitwarden.config;

import io.gitwarden.GitWardenApplication;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/** Bad settings stop startup with a message that names the property to fix. */
@ExtendWith(OutputCaptureExtension.class)
class StartupValidationTests {

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			upstream without key     | --warden.upstream.url=https://github.com --warden.upstream.token=t                   | warden.auth.hmac-secret
			upstream without token   | --warden.upstream.url=https://github.com --warden.auth.hmac-secret=0123456789abcdef0123456789abcdef | warden.upstream.token
			short secret             | --warden.upstream.url=https://github.com --warden.upstream.token=t --warden.auth.hmac-secret=short | warden.auth.hmac-secret must be at least 32 bytes
			bad upstream url         | --warden.upstream.url=ftp://example.com                                             | warden.upstream.url must be an http(s) URL
			upstream url with query  | --warden.upstream.url=https://github.com/?x=1                                       | warden.upstream.url must be an http(s) URL
			username with colon     | --warden.upstream.username=a:b                                                      | warden.upstream.username must be printable ASCII
			negative skew            | --warden.upstream.url=https://github.com --warden.upstream.token=t --warden.auth.clock-skew=-1s | warden.auth.clock-skew
			zero commands            | --warden.policy.max-commands=0                                                      | warden.policy.max-commands
			gc threshold too small   | --warden.mirror.gc-pack-threshold=1                                                 | warden.mirror.gc-pack-threshold must be between 2 and 10000 (is 1)
			too many connections     | --warden.upstream.max-connections=100001                                            | warden.upstream.max-connections must be between 1 and 100000
			blank audience           | --warden.auth.audience=                                                             | warden.auth.audience must not be blank
			""")
	void startupFailsNamingTheProperty(String name, String args, String expected, CapturedOutput output) {
		String[] arguments = (args + " --server.port=0 --spring.main.banner-mode=off").trim().split("\\s+");
		assertThatException().isThrownBy(() -> SpringApplication.run(GitWardenApplication.class, arguments).close());
		assertThat(output.getAll()).contains(expected);
	}

}
