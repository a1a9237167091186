package io.gitwarden.console;

import io.gitwarden.config.DeploymentMode;

import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** {@code warden.console.enabled}, or, when it is unset, demo mode. */
final class ConsoleEnabled implements Condition {

	@Override
	public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
		return isEnabled(context.getEnvironment());
	}

	static boolean isEnabled(Environment environment) {
		String value = environment.getProperty(ConsoleProperties.ENABLED);
		if (value == null || value.isBlank()) {
			return DeploymentMode.isDemo(environment);
		}
		return Boolean.parseBoolean(value.strip());
	}

}
