package io.gitwarden.lfs;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import io.gitwarden.config.MutableClock;
import io.gitwarden.protocol.RepositoryId;
import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class TransferTokensTests {

	static final byte[] KEY = "transfer-tokens-test-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8);

	final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

	final TransferTokens tokens = new TransferTokens(KEY, this.clock);

	final TransferTokens.Upstream upstream = new TransferTokens.Upstream(
			URI.create("https://storage.example/objects/abc?X-Amz-Signature=secret-signature"),
			Map.of("Authorization", "RemoteAuth upstream-secret"));

	TransferTokens.Claims claims(Instant expiresAt) {
		return new TransferTokens.Claims(this.tokens.newId(), TransferTokens.Operation.UPLOAD, "b".repeat(64), 42,
				RepositoryId.parse("acme/app"), "session-1", "c".repeat(64), expiresAt);
	}

	@Test
	void roundTripKeepsClaimsAndUpstream() {
		TransferTokens.Claims claims = claims(this.clock.instant().plusSeconds(60));
		TransferTokens.Transfer transfer = this.tokens.verify(this.tokens.issue(claims, this.upstream));
		assertThat(transfer.claims()).isEqualTo(claims);
		assertThat(transfer.upstream()).isEqualTo(this.upstream);
	}

	@Test
	void theUpstreamsHrefAndHeadersAreNotReadableInTheToken() {
		String token = this.tokens.issue(claims(this.clock.instant().plusSeconds(60)), this.upstream);
		String visible = token + new String(Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))),
				StandardCharsets.UTF_8);
		assertThat(visible).doesNotContain("secret", "storage.example", "RemoteAuth").contains("acme/app", "upload");
	}

	@Test
	void expiredAtItsExpiry() {
		String token = this.tokens.issue(claims(this.clock.instant().plusSeconds(60)), this.upstream);
		this.clock.advance(Duration.ofSeconds(60));
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> this.tokens.verify(token))
			.satisfies((refusal) -> assertThat(refusal.reason()).isEqualTo(RefusalReason.LFS_TRANSFER_EXPIRED));
	}

	@Test
	void anyChangedCharacterIsRefused() {
		String token = this.tokens.issue(claims(this.clock.instant().plusSeconds(60)), this.upstream);
		for (int i = 0; i < token.length(); i += 7) {
			char replacement = (token.charAt(i) == 'x') ? 'y' : 'x';
			String changed = token.substring(0, i) + replacement + token.substring(i + 1);
			assertThatExceptionOfType(Refusal.class).isThrownBy(() -> this.tokens.verify(changed))
				.satisfies((refusal) -> assertThat(refusal.reason()).isEqualTo(RefusalReason.LFS_TRANSFER_INVALID));
		}
	}

	@Test
	void aSignatureSpelledAnotherWayIsRefused() {
		String token = this.tokens.issue(claims(this.clock.instant().plusSeconds(60)), this.upstream);
		char last = token.charAt(token.length() - 1);
		// a 32-byte MAC is 43 base64 characters; the last one's two low bits are not part of the MAC
		String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
		char sameBits = alphabet.charAt((alphabet.indexOf(last) & ~3) | 3);
		String respelled = token.substring(0, token.length() - 1) + sameBits;
		assertThat(Base64.getUrlDecoder().decode(respelled.substring(respelled.lastIndexOf('.') + 1)))
			.isEqualTo(Base64.getUrlDecoder().decode(token.substring(token.lastIndexOf('.') + 1)));
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> this.tokens.verify(respelled))
			.satisfies((refusal) -> assertThat(refusal.reason()).isEqualTo(RefusalReason.LFS_TRANSFER_INVALID));
		assertThat(this.tokens.verify(token)).isNotNull();
	}

	@Test
	void claimsCannotBeMovedToAnotherSealedPart() {
		String first = this.tokens.issue(claims(this.clock.instant().plusSeconds(60)), this.upstream);
		String second = this.tokens.issue(claims(this.clock.instant().plusSeconds(60)), this.upstream);
		String[] a = first.split("\\.");
		String[] b = second.split("\\.");
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> this.tokens.verify(a[0] + "." + b[1] + "." + a[2]));
	}

	@Test
	void anotherKeysTokensAreRefused() {
		TransferTokens other = new TransferTokens("another-key-of-at-least-32-bytes-000000".getBytes(StandardCharsets.UTF_8),
				this.clock);
		String token = other.issue(claims(this.clock.instant().plusSeconds(60)), this.upstream);
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> this.tokens.verify(token))
			.withMessageContaining("bad signature");
	}

	@Test
	void garbageIsRefused() {
		for (String garbage : new String[] { null, "", "a", "a.b", "a.b.c", "..", "x".repeat(7000) }) {
			assertThatExceptionOfType(Refusal.class).isThrownBy(() -> this.tokens.verify(garbage));
		}
	}

	@Test
	void idsAreUnique() {
		assertThat(this.tokens.newId()).isNotEqualTo(this.tokens.newId()).hasSize(22);
	}

}
