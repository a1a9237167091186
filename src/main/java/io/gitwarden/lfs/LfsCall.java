package io.gitwarden.lfs;

import java.util.List;

import io.gitwarden.auth.SessionToken;
import io.gitwarden.exchange.ExchangeDetail;
import io.gitwarden.exchange.Outcome;
import io.gitwarden.protocol.RepositoryId;
import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;
import io.gitwarden.upstream.UpstreamRefusal;
import io.gitwarden.upstream.UpstreamResponse;

/**
 * What one LFS request has established so far, filled in by the stages and turned into the request's
 * {@link Outcome} once, at the end, whatever happened.
 */
final class LfsCall {

	final String operation;

	RepositoryId repository;

	SessionToken session;

	String tokenSha256;

	int upstreamStatus;

	long upstreamNanos;

	LfsDetail detail;

	/** A refusal the request was answered with although it was served (a failed transfer). */
	Refusal failure;

	LfsCall(String operation, RepositoryId repository) {
		this.operation = operation;
		this.repository = repository;
	}

	void upstream(UpstreamResponse response) {
		this.upstreamStatus = response.status();
		this.upstreamNanos += response.elapsedNanos();
	}

	Outcome outcome(Refusal refusal) {
		Refusal ended = (refusal != null) ? refusal : this.failure;
		RefusalReason reason = (ended != null) ? ended.reason() : null;
		String message = (ended != null) ? ended.getMessage() : null;
		if (ended instanceof UpstreamRefusal upstream) {
			this.upstreamStatus = upstream.upstreamStatus();
			this.upstreamNanos = Math.max(this.upstreamNanos, upstream.upstreamNanos());
		}
		List<ExchangeDetail> details = (this.detail != null) ? List.of(this.detail) : List.of();
		return new Outcome(this.operation, this.repository, null, this.session, this.tokenSha256, reason, message,
				this.upstreamStatus, this.upstreamNanos, details);
	}

}
