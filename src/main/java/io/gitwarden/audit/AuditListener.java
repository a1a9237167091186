package io.gitwarden.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import io.gitwarden.exchange.Exchange;
import io.gitwarden.exchange.ExchangeListener;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Writes one audit event per git request, whatever its outcome: to the audit file (see {@link AuditLog})
 * and, for log shipping, to the logger named {@code audit} at INFO. When the audit file is
 * {@code /dev/stdout} the logger copy is skipped, since both would land on the same stream twice.
 *
 * <p>It is called exactly once per request from the proxy's {@code finally} block, so refused,
 * unauthenticated, failed and interrupted requests are recorded too. It never throws: a failed write is
 * logged as an error (and counted by {@link #failures()}), the git request itself is not affected.
 */
final class AuditListener implements ExchangeListener {

	static final String LOGGER_NAME = "audit";

	private static final Log auditLogger = LogFactory.getLog(LOGGER_NAME);

	private static final Log logger = LogFactory.getLog(AuditListener.class);

	private final AuditEvents events;

	private final AuditLog log;

	private final boolean copyToLogger;

	private final AtomicLong failures = new AtomicLong();

	AuditListener(AuditEvents events, AuditLog log) {
		this.events = events;
		this.log = log;
		this.copyToLogger = log.target() != AuditLog.Target.STDOUT;
	}

	@Override
	public void exchangeCompleted(Exchange exchange) {
		try {
			byte[] line = this.log.append(this.events.toEvent(exchange));
			if (this.copyToLogger && auditLogger.isInfoEnabled()) {
				auditLogger.info(new String(line, StandardCharsets.UTF_8));
			}
		}
		catch (IOException | RuntimeException | LinkageError ex) {
			this.failures.incrementAndGet();
			logger.error("Audit event for request " + exchange.requestId() + " could not be written", ex);
		}
	}

	/** Events that could not be written since start. */
	long failures() {
		return this.failures.get();
	}

}
