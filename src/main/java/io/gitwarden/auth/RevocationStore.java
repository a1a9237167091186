package io.gitwarden.auth;

import java.io.Closeable;

/**
 * Where revocations outlive the process: a local file ({@code warden.revocations.file}) for one
 * instance, or the shared PostgreSQL store ({@code warden.store.url}) for a fleet, which also tells this
 * instance of the revocations the others receive.
 */
public interface RevocationStore extends Closeable {

	/**
	 * Stores a revocation durably; returns only once it is stored.
	 * @throws RevocationStoreUnavailableException when it cannot be stored now (the caller answers 503)
	 */
	void save(Revocation revocation);

	/**
	 * Hands every revocation still in force to {@code table} before returning, and from then on every
	 * one learned from elsewhere, until closed.
	 * @throws RuntimeException when the revocations cannot be read (start-up then fails)
	 */
	void start(SessionRevocations table);

	@Override
	void close();

}
