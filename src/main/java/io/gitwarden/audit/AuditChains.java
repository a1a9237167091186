package io.gitwarden.audit;

import java.util.List;

/**
 * Verifies the hash chains of the audit trail where it is stored: the audit files of this instance, or
 * every chain of the shared store (its bean is primary). The same checks as {@code audit verify}; it reads
 * every event kept, so callers run it in the background and keep the result.
 */
public interface AuditChains {

	/** Verifies every chain now. Never throws: an I/O or database failure is reported as such. */
	Report verify();

	/**
	 * The outcome of one verification.
	 *
	 * @param store what was verified ({@code audit file <path>}, {@code shared store})
	 * @param readable false when events cannot be read back (a stream such as stdout)
	 * @param chains every chain verified
	 * @param error why verification could not run, or {@code null}
	 */
	record Report(String store, boolean readable, List<Chain> chains, String error) {

		public Report {
			chains = List.copyOf(chains);
		}

		/** True when verification ran and every chain holds. */
		public boolean ok() {
			return this.readable && this.error == null && this.chains.stream().allMatch(Chain::ok);
		}

		public long events() {
			return this.chains.stream().mapToLong(Chain::events).sum();
		}

	}

	/**
	 * One chain.
	 *
	 * @param name the chain (the file, or the store's chain id)
	 * @param ok whether it holds from its first to its last event
	 * @param events events read
	 * @param verifiedUpTo the last event that verified: its time, request id or sequence number
	 * @param start {@code from genesis} or {@code continuing from <hash>} (older events rotated or deleted)
	 * @param problem the first problem, or {@code null}
	 */
	record Chain(String name, boolean ok, long events, String verifiedUpTo, String start, String problem) {

	}

}
