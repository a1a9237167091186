package io.gitwarden.proxy;

/**
 * Told about every git request once it has been answered (audit log, metrics). Implementations must
 * not throw; a failure of one listener does not stop the others.
 */
@FunctionalInterface
public interface GitExchangeListener {

	/**
	 * A git request has arrived and is about to be served; {@link #exchangeCompleted} follows exactly
	 * once. For gauges of transfers in flight; nothing is known about the request yet.
	 */
	default void exchangeStarted() {
	}

	void exchangeCompleted(GitExchange exchange);

}
