package io.gitwarden.auth;

import java.time.Clock;
import java.time.Instant;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Sessions revoked by an operator. A revoked session's tokens are refused with
 * {@link io.gitwarden.refusal.RefusalReason#SESSION_REVOKED} until every token it could hold has expired:
 * an entry is kept for {@code max-token-lifetime + clock-skew} after the revocation, since no token
 * accepted by the verifier lives longer. Held in memory of this instance only (see
 * {@code docs/scaling.md}), and bounded: past {@link #MAX_SESSIONS} revocations in one lifetime the
 * oldest are evicted first.
 */
public final class SessionRevocations {

	/** Most revoked sessions remembered at once. */
	public static final long MAX_SESSIONS = 100_000;

	private final Cache<String, Instant> revoked;

	private final Clock clock;

	public SessionRevocations(AuthProperties properties, Clock clock) {
		this.clock = clock;
		this.revoked = Caffeine.newBuilder()
			.maximumSize(MAX_SESSIONS)
			.expireAfterWrite(properties.maxTokenLifetime().plus(properties.clockSkew()))
			.build();
	}

	/** Revokes every token of {@code session} from now on. */
	public void revoke(String session) {
		this.revoked.put(session, this.clock.instant());
	}

	public boolean isRevoked(String session) {
		return this.revoked.getIfPresent(session) != null;
	}

}
