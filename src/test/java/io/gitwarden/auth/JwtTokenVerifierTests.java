package io.gitwarden.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;

import io.gitwarden.policy.Permission;
import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;
import io.gitwarden.protocol.RepositoryId;
import io.gitwarden.testsupport.Tokens;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class JwtTokenVerifierTests {

	static final Instant NOW = Instant.now();

	final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

	JwtTokenVerifier verifier(String issuer) {
		AuthProperties properties = TestAuthProperties.of(Tokens.SECRET, issuer, Duration.ofHours(1));
		return new JwtTokenVerifier(properties, new HmacVerificationKeys(Tokens.SECRET), this.clock);
	}

	@Test
	void validTokenBecomesASession() {
		String token = Tokens.forRepo("Acme/App").issuedAt(NOW.minusSeconds(5)).ttl(Duration.ofMinutes(10)).sign();
		SessionToken session = verifier(null).verify(token);
		assertThat(session.session()).isEqualTo("session-1");
		assertThat(session.grants()).hasSize(1);
		Grant grant = session.grants().get(0);
		assertThat(grant.repository()).isEqualTo(new RepositoryId("Acme", "App"));
		assertThat(grant.branches()).extracting(RefPattern::text).containsExactly("agent/work");
		assertThat(grant.tags()).isEmpty();
		assertThat(grant.permissions()).isEqualTo(Set.of(Permission.FETCH, Permission.PUSH));
		assertThat(session.issuedAt()).isEqualTo(NOW.minusSeconds(5).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
		assertThat(session.tokenSha256()).hasSize(64).isEqualTo(JwtTokenVerifier.sha256(token));
	}

	@Test
	void clockSkewIsTolerated() {
		String justExpired = Tokens.forRepo("a/b").issuedAt(NOW.minusSeconds(620)).ttl(Duration.ofSeconds(600)).sign();
		assertThat(verifier(null).verify(justExpired).session()).isEqualTo("session-1");
		String expired = Tokens.forRepo("a/b").issuedAt(NOW.minusSeconds(700)).ttl(Duration.ofSeconds(600)).sign();
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> verifier(null).verify(expired))
			.satisfies((refusal) -> assertThat(refusal.reason()).isEqualTo(RefusalReason.TOKEN_EXPIRED));
	}

	@Test
	void lifetimeIsMeasuredFromIssuedAtOrNow() {
		String exactlyMax = Tokens.forRepo("a/b").issuedAt(NOW).ttl(Duration.ofHours(1)).sign();
		assertThat(verifier(null).verify(exactlyMax)).isNotNull();
		String tooLong = Tokens.forRepo("a/b").issuedAt(NOW).ttl(Duration.ofHours(1).plusSeconds(1)).sign();
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> verifier(null).verify(tooLong))
			.withMessageContaining("lifetime exceeds");
		String noIatTooLong = Tokens.forRepo("a/b").issuedAt(null).ttl(Duration.ofHours(2)).sign();
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> verifier(null).verify(noIatTooLong))
			.withMessageContaining("lifetime exceeds");
	}

	@Test
	void issuerIsCheckedWhenConfigured() {
		String token = Tokens.forRepo("a/b").claim("iss", "orchestrator").sign();
		assertThat(verifier("orchestrator").verify(token)).isNotNull();
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> verifier("someone-else").verify(token))
			.withMessageContaining("issuer not accepted");
		assertThatExceptionOfType(Refusal.class)
			.isThrownBy(() -> verifier("orchestrator").verify(Tokens.forRepo("a/b").sign()))
			.withMessageContaining("issuer not accepted");
	}

	@Test
	void unknownScopeWordsGrantNothing() {
		String token = Tokens.forRepo("a/b").claim("scope", "admin  fetch delete").sign();
		assertThat(verifier(null).verify(token).grants().get(0).permissions()).containsExactly(Permission.FETCH);
	}

	@Test
	void refusalsNeverContainTheToken() {
		String token = Tokens.forRepo("a/b").audience("x").sign();
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> verifier(null).verify(token))
			.satisfies((refusal) -> assertThat(refusal.getMessage() + refusal.advice()).doesNotContain(token));
	}

	@Test
	void extractsTheTokenFromBasicOrBearer() {
		assertThat(SessionAuthenticator.extractToken("Bearer abc.def.ghi")).isEqualTo("abc.def.ghi");
		assertThat(SessionAuthenticator.extractToken("Basic eDphYmMuZGVmLmdoaQ==")).isEqualTo("abc.def.ghi");
		assertThat(SessionAuthenticator.extractToken("basic YWJjLmRlZi5naGk6")).isEqualTo("abc.def.ghi");
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> SessionAuthenticator.extractToken(null))
			.satisfies((refusal) -> assertThat(refusal.reason()).isEqualTo(RefusalReason.CREDENTIALS_MISSING));
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> SessionAuthenticator.extractToken("Digest x"))
			.satisfies((refusal) -> assertThat(refusal.reason()).isEqualTo(RefusalReason.TOKEN_INVALID));
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> SessionAuthenticator.extractToken("Basic !!!"))
			.satisfies((refusal) -> assertThat(refusal.reason()).isEqualTo(RefusalReason.TOKEN_INVALID));
	}

}
