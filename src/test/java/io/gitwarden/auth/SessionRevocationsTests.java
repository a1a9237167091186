package io.gitwarden.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import io.gitwarden.config.MutableClock;
import io.gitwarden.policy.Permission;
import io.gitwarden.protocol.RepositoryId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The revocation rule: never forgotten while a token of the session can be valid, bounded memory that
 * fails closed (the watermark), and a local file that survives a restart.
 */
class SessionRevocationsTests {

	static final Duration LIFETIME = Duration.ofHours(24);

	static final Duration SKEW = Duration.ofSeconds(30);

	final MutableClock clock = new MutableClock(Instant.parse("2026-05-04T09:00:00Z"));

	final AuthProperties auth = TestAuthProperties.of("0123456789abcdef0123456789abcdef", null, LIFETIME);

	@TempDir
	Path directory;

	SessionRevocations open(Path file, int maxEntries) {
		return new SessionRevocations(new FileRevocationStore(file), this.auth, maxEntries, this.clock).start();
	}

	static final Grant GRANT = Grant.single(RepositoryId.parse("acme/widgets"), null, Set.of(Permission.FETCH));

	SessionToken token(String session, Instant issuedAt) {
		return new SessionToken(session, List.of(GRANT), issuedAt, issuedAt.plus(Duration.ofHours(1)), "0".repeat(64));
	}

	@Test
	void aRevocationHoldsUntilEveryTokenOfTheSessionHasExpired() {
		SessionRevocations revocations = open(this.directory.resolve("r.jsonl"), 10);
		SessionToken token = token("s1", this.clock.instant());
		assertThat(revocations.isRevoked(token)).isFalse();
		revocations.revoke("s1");
		assertThat(revocations.isRevoked(token)).isTrue();
		this.clock.advance(LIFETIME);
		assertThat(revocations.isRevoked(token)).isTrue();
		this.clock.advance(SKEW.minusSeconds(1));
		assertThat(revocations.isRevoked(token)).isTrue();
		this.clock.advance(Duration.ofSeconds(1));
		assertThat(revocations.isRevoked(token)).isFalse();
	}

	@Test
	void pastItsCapacityTheTableRefusesTokensIssuedBeforeTheOldestDroppedRevocationInsteadOfForgettingIt() {
		SessionRevocations revocations = open(this.directory.resolve("r.jsonl"), 100);
		Instant start = this.clock.instant();
		SessionToken first = token("s0", start.minusSeconds(60));
		for (int i = 0; i < 1000; i++) {
			revocations.revoke("s" + i);
			this.clock.advance(Duration.ofSeconds(1));
		}
		// every revoked session stays refused, although 900 of them no longer have an entry
		for (int i = 0; i < 1000; i++) {
			assertThat(revocations.isRevoked(token("s" + i, start.minusSeconds(60)))).as("s" + i).isTrue();
		}
		assertThat(revocations.isRevoked(first)).isTrue();
		assertThat(revocations.snapshot().revocations()).hasSize(100);
		Instant watermark = revocations.snapshot().watermark();
		assertThat(watermark).isEqualTo(start.plusSeconds(899));
		// the cost: an unrevoked session's token issued before the watermark (+ skew) is refused too ...
		assertThat(revocations.isRevoked(token("never-revoked", watermark.plus(SKEW).minusSeconds(1)))).isTrue();
		// ... one issued after it is not
		assertThat(revocations.isRevoked(token("never-revoked", watermark.plus(SKEW)))).isFalse();
		// a token without iat counts as issued at exp - max-token-lifetime
		SessionToken noIat = new SessionToken("never-revoked", List.of(GRANT), null, watermark.plus(LIFETIME),
				"0".repeat(64));
		assertThat(revocations.isRevoked(noIat)).isTrue();
		SessionToken noIatLater = new SessionToken("never-revoked", List.of(GRANT), null,
				watermark.plus(SKEW).plus(LIFETIME), "0".repeat(64));
		assertThat(revocations.isRevoked(noIatLater)).isFalse();
	}

	@Test
	void aRestartKeepsRevocationsAndTheWatermarkAndForgetsExpiredOnes() throws IOException {
		Path file = this.directory.resolve("data/revocations.jsonl");
		SessionRevocations before = open(file, 3);
		before.revoke("expiring");
		this.clock.advance(Duration.ofHours(12));
		for (int i = 0; i < 5; i++) {
			before.revoke("s" + i);
			this.clock.advance(Duration.ofSeconds(1));
		}
		SessionRevocations.Snapshot held = before.snapshot();
		before.close();
		this.clock.advance(Duration.ofHours(12).plus(SKEW));

		SessionRevocations after = open(file, 3);
		assertThat(held.watermark()).isNotNull();
		assertThat(after.snapshot()).isEqualTo(held);
		for (int i = 0; i < 5; i++) {
			assertThat(after.isRevoked(token("s" + i, this.clock.instant().minus(Duration.ofHours(13))))).isTrue();
		}
		// compacted at start: the watermark and the three entries held, nothing expired
		List<String> lines = Files.readAllLines(file);
		assertThat(lines).hasSize(4);
		assertThat(lines.get(0)).startsWith("{\"revokedBefore\":");
		after.revoke("later");
		after.close();
		assertThat(open(file, 3).isRevoked(token("later", this.clock.instant()))).isTrue();
	}

	@Test
	void anExpiredRevocationIsDroppedAtRestart() throws IOException {
		Path file = this.directory.resolve("revocations.jsonl");
		SessionRevocations before = open(file, 10);
		before.revoke("expiring");
		before.close();
		this.clock.advance(LIFETIME.plus(SKEW));
		SessionRevocations after = open(file, 10);
		assertThat(after.isRevoked(token("expiring", this.clock.instant().minus(LIFETIME)))).isFalse();
		assertThat(Files.readAllLines(file)).isEmpty();
	}

	@Test
	void aDamagedLineIsSkippedAndTheOthersStillLoad() throws IOException {
		Path file = this.directory.resolve("revocations.jsonl");
		Instant now = this.clock.instant();
		Files.writeString(file, "{\"session\":\"a\",\"revokedAt\":\"" + now + "\"}\n{\"session\":\"b\",\"rev\n"
				+ "{\"session\":\"c\",\"revokedAt\":\"" + now + "\"}\n");
		SessionRevocations revocations = open(file, 10);
		assertThat(revocations.isRevoked(token("a", now))).isTrue();
		assertThat(revocations.isRevoked(token("c", now))).isTrue();
		assertThat(revocations.isRevoked(token("b", now))).isFalse();
	}

	@Test
	void aRevocationThatCannotBeStoredIsRefusedAndNotEnforced() throws IOException {
		Path file = this.directory.resolve("revocations.jsonl");
		SessionRevocations revocations = open(file, 10);
		revocations.close(); // the channel is gone: every write fails
		assertThatExceptionOfType(RevocationStoreUnavailableException.class).isThrownBy(() -> revocations.revoke("x"))
			.withMessageContaining("revocations file");
		assertThat(revocations.isRevoked(token("x", this.clock.instant()))).isFalse();
	}

}
