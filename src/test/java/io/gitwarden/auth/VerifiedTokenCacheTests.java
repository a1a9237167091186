package io.gitwarden.auth;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import io.gitwarden.config.MutableClock;
import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;
import io.gitwarden.testsupport.Tokens;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class VerifiedTokenCacheTests {

	static final Instant START = Instant.parse("2026-03-01T10:00:00Z");

	static final Duration SKEW = Duration.ofSeconds(30);

	final MutableClock clock = new MutableClock(START);

	final AtomicInteger fullVerifications = new AtomicInteger();

	final TokenVerifier counting = (token) -> {
		this.fullVerifications.incrementAndGet();
		return new JwtTokenVerifier(TestAuthProperties.of(Tokens.SECRET, null, Duration.ofHours(1)),
				new HmacVerificationKeys(Tokens.SECRET), this.clock)
			.verify(token);
	};

	final VerifiedTokenCache cache = new VerifiedTokenCache(this.counting, this.clock, SKEW);

	@Test
	void aTokenThatVerifiedIsNotVerifiedAgain() {
		String token = token(Duration.ofMinutes(10));
		SessionToken first = this.cache.verify(token);
		SessionToken second = this.cache.verify(token);
		assertThat(second).isEqualTo(first);
		assertThat(this.fullVerifications).hasValue(1);
		this.cache.verify(Tokens.forRepo("acme/other").issuedAt(START).ttl(Duration.ofMinutes(10)).sign());
		assertThat(this.fullVerifications).hasValue(2);
	}

	@Test
	void expiryIsStillEnforcedOnEveryRequestWithTheSameSkew() {
		String token = token(Duration.ofMinutes(1));
		this.cache.verify(token);
		this.clock.advance(Duration.ofMinutes(1).plus(SKEW));
		assertThat(this.cache.verify(token).session()).isEqualTo("session-1");
		this.clock.advance(Duration.ofSeconds(1));
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> this.cache.verify(token))
			.satisfies((refusal) -> assertThat(refusal.reason()).isEqualTo(RefusalReason.TOKEN_EXPIRED));
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> this.cache.verify(token))
			.satisfies((refusal) -> assertThat(refusal.reason()).isEqualTo(RefusalReason.TOKEN_EXPIRED));
		assertThat(this.fullVerifications).hasValue(2);
	}

	@Test
	void refusalsAreNotRemembered() {
		String forged = Tokens.withSecret("another-secret-0123456789-0123456789-0123456789", "acme/app")
			.issuedAt(START)
			.ttl(Duration.ofMinutes(10))
			.sign();
		for (int i = 0; i < 2; i++) {
			assertThatExceptionOfType(Refusal.class).isThrownBy(() -> this.cache.verify(forged))
				.satisfies((refusal) -> assertThat(refusal.reason()).isEqualTo(RefusalReason.TOKEN_INVALID));
		}
		assertThat(this.fullVerifications).hasValue(2);
	}

	@Test
	void aTokenThatOnlyDiffersInItsSignatureIsVerifiedOnItsOwn() {
		String token = token(Duration.ofMinutes(10));
		this.cache.verify(token);
		String otherSignature = token.substring(0, token.lastIndexOf('.') + 1) + "A".repeat(64);
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> this.cache.verify(otherSignature))
			.satisfies((refusal) -> assertThat(refusal.reason()).isEqualTo(RefusalReason.TOKEN_INVALID));
	}

	private static String token(Duration ttl) {
		return Tokens.forRepo("acme/app").issuedAt(START).ttl(ttl).sign();
	}

}
