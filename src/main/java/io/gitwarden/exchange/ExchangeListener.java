package io.gitwarden.exchange;

/**
 * Told about every request once it has been answered (audit trail, metrics, alerts). Called on the
 * thread that served the request, after the response was sent. Implementations should not throw and
 * should not block; a failure of one listener is counted and logged and does not stop the others.
 */
@FunctionalInterface
public interface ExchangeListener {

	void exchangeCompleted(Exchange exchange);

}
