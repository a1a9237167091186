package io.gitwarden.upstream;

import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;

/**
 * The upstream answered, but not with something git-warden relays (an error status, a redirect, a page
 * that is not git). Carries the upstream's status and time, for audit and metrics; the client only gets
 * the catalogue message.
 */
public class UpstreamRefusal extends Refusal {

	private static final long serialVersionUID = 1L;

	private final int upstreamStatus;

	private final long upstreamNanos;

	public UpstreamRefusal(int upstreamStatus, long upstreamNanos, RefusalReason reason, Object... args) {
		super(reason, args);
		this.upstreamStatus = upstreamStatus;
		this.upstreamNanos = upstreamNanos;
	}

	public int upstreamStatus() {
		return this.upstreamStatus;
	}

	public long upstreamNanos() {
		return this.upstreamNanos;
	}

}
