package io.gitwarden.mirror;

import java.util.Locale;

/**
 * A mirror could not provide what was asked. The mirror is left as it was before (a failed fetch changes
 * nothing), and the next call tries again. The message is safe to log and to show an operator: it never
 * contains a credential.
 */
public class MirrorException extends Exception {

	private static final long serialVersionUID = 1L;

	/** Why. */
	public enum Reason {

		/** The upstream fetch failed: unreachable, refused, timed out or sent something unusable. */
		FETCH_FAILED,

		/** No upstream credential could be had for the repository. */
		NO_CREDENTIAL,

		/** Every fetch slot ({@code warden.mirror.max-concurrent-updates}) stayed busy for too long. */
		BUSY,

		/** The upstream was fetched, yet some requested objects are still missing (or not served). */
		OBJECTS_MISSING,

		/** A pack handed over for adoption is not usable. */
		INVALID_PACK,

		/** Reading or writing the mirror on disk failed. */
		STORAGE,

		/** The calling thread was interrupted while waiting. */
		INTERRUPTED;

		/** Lower-case code for logs and metric tags. */
		public String code() {
			return name().toLowerCase(Locale.ROOT).replace('_', '-');
		}

	}

	private final Reason reason;

	public MirrorException(Reason reason, String message) {
		super(message);
		this.reason = reason;
	}

	public MirrorException(Reason reason, String message, Throwable cause) {
		super(message, cause);
		this.reason = reason;
	}

	public Reason reason() {
		return this.reason;
	}

}
