package io.gitwarden.web;

import java.io.IOException;

import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;

/**
 * Reading a request body stopped: the client went away, the body broke a limit, or it could not be
 * decoded. Carries the refusal to answer with (if the client is still there to read it).
 */
public final class BodyException extends IOException {

	private static final long serialVersionUID = 1L;

	private final transient Refusal refusal;

	BodyException(RefusalReason reason, String detail, Throwable cause) {
		super(reason.message(detail), cause);
		this.refusal = new Refusal(reason, detail);
	}

	public Refusal refusal() {
		return this.refusal;
	}

}
