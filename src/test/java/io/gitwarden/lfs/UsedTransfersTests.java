package io.gitwarden.lfs;

import java.time.Duration;
import java.time.Instant;

import io.gitwarden.config.MutableClock;
import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

class UsedTransfersTests {

	final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

	final UsedTransfers used = new UsedTransfers(this.clock, 3);

	Instant in(int seconds) {
		return this.clock.instant().plusSeconds(seconds);
	}

	@Test
	void aCommittedIdIsSpent() {
		this.used.reserve("a", in(60));
		this.used.commit("a");
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> this.used.reserve("a", in(60)))
			.satisfies((refusal) -> assertThat(refusal.reason()).isEqualTo(RefusalReason.LFS_TRANSFER_USED));
	}

	@Test
	void anIdInUseCannotBeUsedTwiceAtOnce() {
		this.used.reserve("a", in(60));
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> this.used.reserve("a", in(60)));
	}

	@Test
	void aReleasedIdMayBeRetried() {
		this.used.reserve("a", in(60));
		this.used.release("a");
		assertThatNoException().isThrownBy(() -> this.used.reserve("a", in(60)));
	}

	@Test
	void fullOfUnexpiredIdsRefusesRatherThanForgets() {
		this.used.reserve("a", in(10));
		this.used.reserve("b", in(10));
		this.used.reserve("c", in(60));
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> this.used.reserve("d", in(60)))
			.satisfies((refusal) -> assertThat(refusal.reason()).isEqualTo(RefusalReason.SERVER_BUSY));
		this.clock.advance(Duration.ofSeconds(10));
		assertThatNoException().isThrownBy(() -> this.used.reserve("d", in(60)));
		assertThat(this.used.size()).isEqualTo(2);
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> this.used.reserve("c", in(60)));
	}

}
