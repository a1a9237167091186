package io.gitwarden.testsupport;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * Polling, with a deadline, for what happens just after a response is complete: what git-warden records
 * (audit lines, metrics), or an upstream's clean-up of a request git-warden aborted. A client can see the
 * response a moment before either.
 */
public final class Eventually {

	private static final Duration DEADLINE = Duration.ofSeconds(30);

	private static final Duration POLL = Duration.ofMillis(20);

	private Eventually() {
	}

	/**
	 * @return the first value for which {@code done} holds, or the last one read when the deadline
	 * passed (the caller's assertion then fails on it)
	 */
	public static <T, E extends Exception> T await(Read<T, E> value, Predicate<T> done) throws E {
		long deadline = System.nanoTime() + DEADLINE.toNanos();
		T current = value.get();
		while (!done.test(current) && System.nanoTime() < deadline) {
			LockSupport.parkNanos(POLL.toNanos());
			current = value.get();
		}
		return current;
	}

	/** A read that may fail. */
	@FunctionalInterface
	public interface Read<T, E extends Exception> {

		T get() throws E;

	}

}
