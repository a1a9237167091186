package io.gitwarden.auth;

import java.time.Instant;

/**
 * One revoked session: every token whose {@code sub} is {@code session} is refused until
 * {@code keepUntil}, which is {@code revokedAt + max-token-lifetime + clock-skew} (no token accepted
 * before the revocation can outlive it).
 *
 * @param session the session id ({@code sub})
 * @param revokedAt when it was revoked
 * @param keepUntil when the entry may be forgotten
 */
public record Revocation(String session, Instant revokedAt, Instant keepUntil) {

	/** The later of two revocations of one session: the one that lasts longer wins. */
	Revocation merge(Revocation other) {
		Instant revoked = this.revokedAt.isAfter(other.revokedAt) ? this.revokedAt : other.revokedAt;
		Instant keep = this.keepUntil.isAfter(other.keepUntil) ? this.keepUntil : other.keepUntil;
		return new Revocation(this.session, revoked, keep);
	}

}
