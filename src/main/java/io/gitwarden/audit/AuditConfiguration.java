package io.gitwarden.audit;

import java.io.IOException;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the audit trail. Events are serialized with a mapper of their own, not the application's, so
 * the format of a line (and so its hash) does not change with {@code spring.jackson.*} settings; it
 * escapes the characters {@link AuditEscapes} lists.
 */
@Configuration(proxyBeanMethods = false)
class AuditConfiguration {

	/** The mapper that writes audit lines. */
	static final JsonMapper JSON = JsonMapper.builder(JsonFactory.builder().characterEscapes(new AuditEscapes()).build())
		.build();

	@Bean(destroyMethod = "close")
	AuditLog auditLog(AuditProperties properties) throws IOException {
		return new AuditLog(properties, JSON);
	}

	@Bean
	AuditTrail auditTrail(AuditLog auditLog, ObjectProvider<AuditSink> sinks, ObjectProvider<MeterRegistry> registry) {
		AuditTrail trail = new AuditTrail(JSON, auditLog, sinks.orderedStream().toList());
		registry.ifAvailable((meters) -> FunctionCounter.builder("warden.audit.failures", trail, AuditTrail::failures)
			.description("Audit events that could not be prepared or written")
			.register(meters));
		return trail;
	}

	@Bean
	AuditListener auditListener(AuditTrail trail) {
		return new AuditListener(new AuditEvents(JSON), trail);
	}

	/** The chain of this instance's audit files; the shared store's, when configured, is primary. */
	@Bean
	AuditChains fileAuditChains(AuditLog auditLog, AuditProperties properties) {
		return new FileAuditChains(auditLog, properties);
	}

	/** The audit files of this instance; the shared store's query, when configured, is primary. */
	@Bean
	AuditReader auditReader(AuditLog auditLog) {
		return new AuditReader(auditLog, JSON);
	}

}
