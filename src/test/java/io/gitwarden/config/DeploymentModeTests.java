package io.gitwarden.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

/** Which settings select relay mode, from every kind of property source, and what each mode refuses. */
class DeploymentModeTests {

	@Test
	void nothingConfiguredIsTheDemo() {
		StandardEnvironment environment = environment(Map.of(), Map.of());
		assertThat(DeploymentMode.isDemo(environment)).isTrue();
		assertThatNoException().isThrownBy(() -> DeploymentMode.checkRelay(environment, null));
	}

	@Test
	void demoTuningAndUnrelatedWardenVariablesLeaveTheDemo() {
		// WARDEN_TOKEN is what the demo banner tells users to export; WARDEN_URL what the chart's notes do.
		StandardEnvironment environment = environment(
				Map.of("warden.embedded.repositories", "/tmp/r", "warden.audit.file", "/tmp/a.jsonl",
						"warden.policy.allow-branch-deletion", "true", "warden.upstream.url", "", "wardenx.auth.y", "z"),
				Map.of("WARDEN_TOKEN", "eyJ...", "WARDEN_URL", "http://localhost:8080"));
		assertThat(DeploymentMode.isDemo(environment)).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "warden.auth.hmac-secret", "warden.upstream.token", "warden.upstream.urll",
			"warden.upstream.github-app.app-id", "warden.issuer.private-key", "warden.admin.token",
			"warden.auth.audience" })
	void anyDeploymentSettingSelectsRelayAndThenTheUpstreamUrlIsRequired(String property) {
		StandardEnvironment environment = environment(Map.of(property, "value"), Map.of());
		assertThat(DeploymentMode.isDemo(environment)).isFalse();
		assertThatExceptionOfType(InvalidConfigurationException.class)
			.isThrownBy(() -> DeploymentMode.checkRelay(environment, null))
			.satisfies((ex) -> assertThat(ex.property()).isEqualTo("warden.upstream.url"))
			.withMessageContaining(property + " set")
			.withMessageNotContaining("value");
		assertThatNoException().isThrownBy(() -> DeploymentMode.checkRelay(environment,
				java.net.URI.create("https://github.com")));
	}

	@Test
	void environmentVariablesCountLikeProperties() {
		StandardEnvironment environment = environment(Map.of(), Map.of("WARDEN_AUTH_HMACSECRET", "s"));
		assertThat(DeploymentMode.isDemo(environment)).isFalse();
		assertThatExceptionOfType(InvalidConfigurationException.class)
			.isThrownBy(() -> DeploymentMode.checkRelay(environment, null))
			.withMessageContaining("warden.auth.hmacsecret set");
	}

	@Test
	void explicitRelayNeedsTheUpstreamUrl() {
		StandardEnvironment environment = environment(Map.of("warden.mode", "relay"), Map.of());
		assertThat(DeploymentMode.isDemo(environment)).isFalse();
		assertThatExceptionOfType(InvalidConfigurationException.class)
			.isThrownBy(() -> DeploymentMode.checkRelay(environment, null))
			.withMessageContaining("warden.upstream.url")
			.withMessageContaining("warden.mode=relay");
	}

	@Test
	void explicitDemoAllowsTheAdminTokenButRefusesUpstreamsAndKeys() {
		StandardEnvironment admin = environment(Map.of("warden.mode", "demo", "warden.admin.token", "0123456789abcdef"),
				Map.of());
		assertThat(DeploymentMode.isDemo(admin)).isTrue();
		assertThatNoException().isThrownBy(() -> DeploymentMode.checkDemo(admin));
		for (String refused : List.of("warden.auth.hmac-secret", "warden.auth.public-key", "warden.auth.jwks-uri",
				"warden.issuer.private-key", "warden.upstream.url", "warden.upstream.token")) {
			StandardEnvironment environment = environment(Map.of("warden.mode", "DEMO", refused, "x"), Map.of());
			assertThat(DeploymentMode.isDemo(environment)).isTrue();
			assertThatExceptionOfType(InvalidConfigurationException.class)
				.isThrownBy(() -> DeploymentMode.checkDemo(environment))
				.satisfies((ex) -> assertThat(ex.property()).isEqualTo(refused));
		}
		StandardEnvironment fromEnvironment = environment(Map.of("warden.mode", "demo"),
				Map.of("WARDEN_AUTH_HMACSECRET", "s"));
		assertThatExceptionOfType(InvalidConfigurationException.class)
			.isThrownBy(() -> DeploymentMode.checkDemo(fromEnvironment))
			.satisfies((ex) -> assertThat(ex.property()).isEqualTo("warden.auth.hmac-secret"));
	}

	@Test
	void unknownModeIsRefusedAndNeverTheDemo() {
		StandardEnvironment environment = environment(Map.of("warden.mode", "demonstration"), Map.of());
		assertThat(DeploymentMode.isDemo(environment)).isFalse();
		assertThatExceptionOfType(InvalidConfigurationException.class)
			.isThrownBy(() -> DeploymentMode.checkRelay(environment, null))
			.satisfies((ex) -> assertThat(ex.property()).isEqualTo("warden.mode"));
	}

	private static StandardEnvironment environment(Map<String, Object> properties, Map<String, Object> variables) {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
		environment.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
		environment.getPropertySources().addFirst(new MapPropertySource("test", new LinkedHashMap<>(properties)));
		environment.getPropertySources()
			.addLast(new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
					new LinkedHashMap<>(variables)));
		return environment;
	}

}
