package io.gitwarden.upstream;

import java.io.IOException;

/**
 * Reading the client's request body failed or ended early while it was being forwarded: the client's
 * fault, not the upstream's.
 */
public class ClientBodyException extends IOException {

	private static final long serialVersionUID = 1L;

	public ClientBodyException(String message, Throwable cause) {
		super(message, cause);
	}

}
