package io.gitwarden.policy;

/**
 * A refusal of a whole request: a reason from the catalogue with its arguments. Thrown by the checks
 * and turned into a git-readable answer in one place by the proxy.
 */
public class Refusal extends RuntimeException {

	private static final long serialVersionUID = 1L;

	private final RefusalReason reason;

	private final transient Object[] args;

	public Refusal(RefusalReason reason, Object... args) {
		super(reason.message(args), null, false, false);
		this.reason = reason;
		this.args = args.clone();
	}

	public RefusalReason reason() {
		return this.reason;
	}

	/** The advice line for this refusal. */
	public String advice() {
		return this.reason.advice(this.args);
	}

}
