package io.gitwarden.mirror;

import java.io.IOException;

/**
 * Serving an upload-pack request from a mirror failed. When {@link #responseStarted()} is false nothing
 * reached the client yet, and the caller may still answer otherwise (forward the request to the upstream,
 * or send an error); when it is true the response is committed: end it (git sees the failure).
 */
public final class ServeException extends IOException {

	private static final long serialVersionUID = 1L;

	private final long bytesWritten;

	ServeException(IOException cause, long bytesWritten) {
		super("serving from the mirror failed: " + cause.getMessage(), cause);
		this.bytesWritten = bytesWritten;
	}

	/** Bytes written to the response before the failure. */
	public long bytesWritten() {
		return this.bytesWritten;
	}

	/** True when some of the response already went to the client. */
	public boolean responseStarted() {
		return this.bytesWritten > 0;
	}

}
