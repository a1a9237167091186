package io.gitwarden.auth;

/**
 * A revocation could not be stored (the database is down, the disk is full): it was not accepted, and
 * the admin API answers 503. The message says what failed, without credentials.
 */
public class RevocationStoreUnavailableException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	public RevocationStoreUnavailableException(String message, Throwable cause) {
		super(message, cause);
	}

}
