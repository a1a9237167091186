package io.gitwarden.refusal;

/**
 * A refusal of a whole request: a reason from the catalogue with its arguments. Thrown by the stages
 * of the request path and turned into a wire answer in one place per wire format at the edge. Carries
 * no stack trace: it is an answer, not an error.
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

	public Category category() {
		return this.reason.category();
	}

	/** The advice line for this refusal. */
	public String advice() {
		return this.reason.advice(this.args);
	}

	/** How a request that ends with this refusal is recorded. */
	public Decision decision() {
		return Decision.of(this.reason);
	}

}
