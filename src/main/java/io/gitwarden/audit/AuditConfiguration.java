package io.gitwarden.audit;

import java.io.IOException;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the audit trail. Events are serialized with a mapper of their own, not the application's, so
 * the format of a line (and so its hash) does not change with {@code spring.jackson.*} settings.
 */
@Configuration(proxyBeanMethods = false)
class AuditConfiguration {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Bean(destroyMethod = "close")
	AuditLog auditLog(AuditProperties properties) throws IOException {
		return new AuditLog(properties, JSON);
	}

	@Bean
	AuditListener auditListener(AuditLog auditLog, ObjectProvider<MeterRegistry> registry) {
		AuditListener listener = new AuditListener(new AuditEvents(JSON), auditLog);
		registry.ifAvailable((meters) -> FunctionCounter.builder("warden.audit.failures", listener, AuditListener::failures)
			.description("Audit events that could not be written")
			.register(meters));
		return listener;
	}

	@Bean
	AuditReader auditReader(AuditLog auditLog) {
		return new AuditReader(auditLog, JSON);
	}

}
