package io.gitwarden.proxy;

/**
 * Told about every git request once it has been answered (audit log, metrics). Implementations must
 * not throw; a failure of one listener does not stop the others.
 */
@FunctionalInterface
public interface GitExchangeListener {

	void exchangeCompleted(GitExchange exchange);

}
