package io.gitwarden.upstream;

import io.gitwarden.policy.Refusal;
import io.gitwarden.policy.RefusalReason;

/**
 * The upstream answered, but not with something git-warden relays (an error status, a redirect, a
 * dumb-HTTP answer). Carries what the upstream said, for audit and metrics; the client only gets the
 * catalogue message.
 */
public class UpstreamRefusal extends Refusal {

	private static final long serialVersionUID = 1L;

	private final transient ForwardResult upstream;

	UpstreamRefusal(ForwardResult upstream, RefusalReason reason, Object... args) {
		super(reason, args);
		this.upstream = upstream;
	}

	/** The upstream's status and timing (no body bytes were relayed). */
	public ForwardResult upstream() {
		return this.upstream;
	}

}
