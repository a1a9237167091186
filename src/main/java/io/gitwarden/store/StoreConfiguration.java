package io.gitwarden.store;

import java.io.IOException;
import java.net.InetAddress;
import java.sql.SQLException;
import java.time.Clock;

import io.gitwarden.audit.AuditChains;
import io.gitwarden.audit.AuditQuery;
import io.gitwarden.auth.RevocationStore;
import io.gitwarden.config.InvalidConfigurationException;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * The shared store, only when {@code warden.store.url} is set (not empty): the database (connected and
 * migrated before anything uses it), the {@link RevocationStore} that {@code SessionRevocations} picks up
 * instead of its local file, an audit sink next to the audit file, and the fleet-wide audit query, primary
 * over the file's.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(StoreConfiguration.StoreConfigured.class)
class StoreConfiguration {

	@Bean
	Database storeDatabase(StoreProperties properties) {
		return Database.open(properties);
	}

	@Bean(destroyMethod = "close")
	RevocationStore postgresRevocationStore(Database database, StoreProperties properties, Clock clock) {
		return new PostgresRevocationStore(database, clock, properties.resyncInterval());
	}

	@Bean(destroyMethod = "close")
	PostgresAuditSink postgresAuditSink(Database database, StoreProperties properties,
			ObjectProvider<MeterRegistry> registry) {
		PostgresAuditSink sink;
		try {
			sink = new PostgresAuditSink(database, new AuditSpool(properties.spoolFile()), host());
		}
		catch (IOException ex) {
			throw new InvalidConfigurationException("warden.store.spool-file",
					"cannot open the audit spool " + properties.spoolFile() + ": " + ex.getMessage());
		}
		catch (SQLException ex) {
			throw new InvalidConfigurationException(StoreProperties.URL,
					"cannot register the audit chain (" + Database.describe(ex) + ")");
		}
		registry.ifAvailable((meters) -> {
			Gauge.builder("warden.store.audit.queued", sink, PostgresAuditSink::queued)
				.description("Audit events waiting in memory for the database")
				.register(meters);
			Gauge.builder("warden.store.audit.spooled", sink, PostgresAuditSink::spoolLines)
				.description("Audit events waiting in the local spool file for the database")
				.register(meters);
			FunctionCounter.builder("warden.store.audit.inserted", sink, PostgresAuditSink::inserted)
				.description("Audit events inserted into the database")
				.register(meters);
		});
		return sink;
	}

	@Bean
	@Primary
	AuditQuery postgresAuditQuery(Database database) {
		return new PostgresAuditQuery(database);
	}

	@Bean
	@Primary
	AuditChains postgresAuditChains(Database database) {
		return new PostgresAuditChains(database);
	}

	private static String host() {
		try {
			return InetAddress.getLocalHost().getHostName();
		}
		catch (IOException ex) {
			return null;
		}
	}

	/** {@code warden.store.url} set to something other than blank. */
	static class StoreConfigured extends SpringBootCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			String url = context.getEnvironment().getProperty(StoreProperties.URL);
			return (url != null && !url.isBlank()) ? ConditionOutcome.match("warden.store.url is set")
					: ConditionOutcome.noMatch("warden.store.url is not set");
		}

	}

}
