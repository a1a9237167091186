package io.gitwarden.protocol;

/**
 * A receive-pack request that git-warden will not read any further. The message is safe to show the
 * client: it never quotes more than a short, sanitised fragment of the input.
 */
public class ProtocolException extends Exception {

	private static final long serialVersionUID = 1L;

	/** Why the request was not accepted. */
	public enum Kind {
		/** Not valid pkt-line / receive-pack syntax, or the body ended early. */
		MALFORMED,
		/** More commands or command bytes than git-warden reads. */
		TOO_LARGE,
		/** Valid git, but a feature git-warden cannot police (push certificates, SHA-256). */
		UNSUPPORTED
	}

	private final Kind kind;

	private SideBand sideBand = SideBand.NONE;

	public ProtocolException(Kind kind, String message) {
		super(message);
		this.kind = kind;
	}

	public ProtocolException(Kind kind, String message, Throwable cause) {
		super(message, cause);
		this.kind = kind;
	}

	public Kind kind() {
		return this.kind;
	}

	/** The side-band the client asked for, when its first command was read before the failure. */
	public SideBand sideBand() {
		return this.sideBand;
	}

	ProtocolException withSideBand(SideBand sideBand) {
		this.sideBand = sideBand;
		return this;
	}

}
