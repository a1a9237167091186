package io.gitwarden.inspect;

import java.util.List;
import java.util.Map;

import io.gitwarden.policy.PolicyProperties;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

class ContentPolicyPropertiesTests {

	final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Config.class);

	@Test
	void defaults() {
		this.runner.run((context) -> {
			ContentPolicyProperties properties = context.getBean(ContentPolicyProperties.class);
			assertThat(properties.protectedPaths()).containsExactly(".github/workflows/**");
			assertThat(properties.secrets().enabled()).isTrue();
			assertThat(properties.secrets().patterns()).isEmpty();
			assertThat(properties.secrets().allowPaths()).isEmpty();
			assertThat(properties.maxFileSize()).isEqualTo(DataSize.ofMegabytes(100));
			assertThat(properties.forcePush()).isEqualTo(ContentPolicyProperties.ForcePush.ALLOW);
			assertThat(properties.commitEmail()).isNull();
			assertThat(properties).isEqualTo(ContentPolicyProperties.defaults());
			assertThat(context.getBean(PolicyProperties.class).maxCommands()).isEqualTo(1000);
			assertThat(context.getBean(PushInspector.class)).isNotNull();
		});
	}

	@Test
	void bindsEverySettingNextToTheRefPolicy() {
		this.runner
			.withPropertyValues("warden.policy.protected-paths=.github/**,deploy/*.tf",
					"warden.policy.secrets.enabled=false", "warden.policy.secrets.patterns.corp-token=corp_[a-z]{8}",
					"warden.policy.secrets.allow-paths=test/fixtures/**", "warden.policy.max-file-size=5MB",
					"warden.policy.force-push=deny", "warden.policy.commit-email=.*@corp\\.example",
					"warden.policy.allow-branch-deletion=true")
			.run((context) -> {
				ContentPolicyProperties properties = context.getBean(ContentPolicyProperties.class);
				assertThat(properties.protectedPaths()).containsExactly(".github/**", "deploy/*.tf");
				assertThat(properties.secrets().enabled()).isFalse();
				assertThat(properties.secrets().patterns()).isEqualTo(Map.of("corp-token", "corp_[a-z]{8}"));
				assertThat(properties.secrets().allowPaths()).isEqualTo(List.of("test/fixtures/**"));
				assertThat(properties.maxFileSize()).isEqualTo(DataSize.ofMegabytes(5));
				assertThat(properties.forcePush()).isEqualTo(ContentPolicyProperties.ForcePush.DENY);
				assertThat(properties.commitEmail()).isEqualTo(".*@corp\\.example");
				assertThat(context.getBean(PolicyProperties.class).allowBranchDeletion()).isTrue();
			});
	}

	@Test
	void anEmptyListProtectsNothing() {
		this.runner.withPropertyValues("warden.policy.protected-paths=")
			.run((context) -> assertThat(context.getBean(ContentPolicyProperties.class).protectedPaths()).isEmpty());
	}

	@Test
	void badValuesStopStartupNamingTheProperty() {
		assertStartupFails("warden.policy.protected-paths=../etc/**", "warden.policy.protected-paths", "'..'");
		assertStartupFails("warden.policy.secrets.allow-paths=/abs", "warden.policy.secrets.allow-paths", "empty segment");
		assertStartupFails("warden.policy.secrets.patterns.x=(", "warden.policy.secrets.patterns",
				"not a valid regular expression");
		assertStartupFails("warden.policy.commit-email=[", "warden.policy.commit-email", "not a valid regular expression");
		assertStartupFails("warden.policy.max-file-size=0", "warden.policy.max-file-size", "positive");
	}

	private void assertStartupFails(String property, String... messages) {
		this.runner.withPropertyValues(property).run((context) -> {
			assertThat(context).hasFailed();
			Throwable cause = context.getStartupFailure();
			StringBuilder all = new StringBuilder();
			for (Throwable t = cause; t != null; t = t.getCause()) {
				all.append(t.getMessage()).append('\n');
			}
			assertThat(all.toString()).contains(messages);
		});
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties({ ContentPolicyProperties.class, PolicyProperties.class })
	@org.springframework.context.annotation.Import(InspectConfiguration.class)
	static class Config {

	}

}
