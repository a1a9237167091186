package io.gitwarden.auth;

import java.time.Clock;
import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;

/**
 * Remembers tokens that verified, so that the requests of one git operation (a clone is two or three, a
 * push three) and of one session do not parse JSON and check a signature each time: that was a fifth of
 * the Java CPU time sampled (JFR) while serving {@code info/refs}.
 *
 * <p>What is remembered is only the outcome of verification: the entry is keyed by the token's SHA-256
 * (the token itself is not kept), lives at most {@link #TIME_TO_LIVE}, and {@code exp} is still enforced
 * on every request with the same clock skew as a full verification. Revocation is checked by the caller
 * on every request. Failed verifications are never remembered. The bound on the entry's life is what
 * lets a key removed from a JWKS document stop being honoured within a minute of its removal being seen.
 */
final class VerifiedTokenCache implements TokenVerifier {

	static final Duration TIME_TO_LIVE = Duration.ofSeconds(60);

	static final int MAXIMUM_SIZE = 10_000;

	private final TokenVerifier delegate;

	private final Clock clock;

	private final Duration clockSkew;

	private final Cache<String, SessionToken> verified;

	VerifiedTokenCache(TokenVerifier delegate, Clock clock, Duration clockSkew) {
		this.delegate = delegate;
		this.clock = clock;
		this.clockSkew = clockSkew;
		this.verified = Caffeine.newBuilder().maximumSize(MAXIMUM_SIZE).expireAfterWrite(TIME_TO_LIVE).build();
	}

	@Override
	public SessionToken verify(String token) {
		if (token.length() > JwtTokenVerifier.MAX_TOKEN_LENGTH) {
			return this.delegate.verify(token);
		}
		String key = JwtTokenVerifier.sha256(token);
		SessionToken known = this.verified.getIfPresent(key);
		if (known == null) {
			SessionToken session = this.delegate.verify(token);
			this.verified.put(key, session);
			return session;
		}
		if (this.clock.instant().minus(this.clockSkew).isAfter(known.expiresAt())) {
			this.verified.invalidate(key);
			throw new Refusal(RefusalReason.TOKEN_EXPIRED);
		}
		return known;
	}

}
