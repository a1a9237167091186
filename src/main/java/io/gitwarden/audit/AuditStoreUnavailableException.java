package io.gitwarden.audit;

/** The audit store cannot answer now (the database is down); the admin API answers 503. */
public class AuditStoreUnavailableException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	public AuditStoreUnavailableException(String message, Throwable cause) {
		super(message, cause);
	}

}
