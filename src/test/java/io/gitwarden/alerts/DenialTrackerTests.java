package io.gitwarden.alerts;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Repeated denials: one suspicion per session and window, over a sliding window, with bounded memory. */
class DenialTrackerTests {

	static final Instant T0 = Instant.parse("2026-05-04T09:00:00Z");

	final DenialTracker tracker = new DenialTracker(5, Duration.ofMinutes(5), 100);

	DenialTracker.Suspicion deny(String session, Instant time, String ref) {
		return this.tracker.denied(session, time, "acme/app", List.of(ref), "ref-not-session-branch");
	}

	@Test
	void theSixthDenialWithinTheWindowRaisesOneSuspicionPerWindow() {
		for (int i = 0; i < 5; i++) {
			assertThat(deny("s1", T0.plusSeconds(i * 10), "refs/heads/main")).isNull();
		}
		DenialTracker.Suspicion suspicion = deny("s1", T0.plusSeconds(50), "refs/heads/release");
		assertThat(suspicion).isNotNull();
		assertThat(suspicion.session()).isEqualTo("s1");
		assertThat(suspicion.denials()).isEqualTo(6);
		assertThat(suspicion.first()).isEqualTo(T0);
		assertThat(suspicion.last()).isEqualTo(T0.plusSeconds(50));
		assertThat(suspicion.repositories()).containsExactly("acme/app");
		assertThat(suspicion.refs()).containsExactly("refs/heads/main", "refs/heads/release");
		assertThat(suspicion.reasons()).containsExactly("ref-not-session-branch");
		assertThat(this.tracker.isSuspicious("s1", T0.plusSeconds(60))).isTrue();
		// the rest of the window: no second alert, however many denials
		for (int i = 0; i < 50; i++) {
			assertThat(deny("s1", T0.plusSeconds(51 + i), "refs/heads/main")).isNull();
		}
		// the next window: a new alert, naming only what came since the last one
		DenialTracker.Suspicion next = deny("s1", T0.plusSeconds(50).plus(Duration.ofMinutes(5)), "refs/heads/x");
		assertThat(next).isNotNull();
		assertThat(next.refs()).containsExactly("refs/heads/main", "refs/heads/x");
		assertThat(this.tracker.isSuspicious("s1", T0.plus(Duration.ofMinutes(11)))).isFalse();
	}

	@Test
	void denialsSpreadWiderThanTheWindowAreNotSuspicious() {
		for (int i = 0; i < 20; i++) {
			assertThat(deny("slow", T0.plusSeconds(i * 61L), "refs/heads/main")).isNull();
		}
	}

	@Test
	void sessionsAreCountedApart() {
		for (int i = 0; i < 5; i++) {
			assertThat(deny("a", T0.plusSeconds(i), "r")).isNull();
			assertThat(deny("b", T0.plusSeconds(i), "r")).isNull();
		}
		assertThat(deny("a", T0.plusSeconds(6), "r")).isNotNull();
		assertThat(this.tracker.isSuspicious("b", T0.plusSeconds(7))).isFalse();
	}

	@Test
	void memoryIsBoundedBySessionsAndExpiry() {
		DenialTracker small = new DenialTracker(5, Duration.ofMinutes(5), 3);
		for (int i = 0; i < 1000; i++) {
			small.denied("session-" + i, T0.plusMillis(i), "acme/app", List.of(), "x");
		}
		assertThat(small.size()).isEqualTo(3);
		DenialTracker expiring = new DenialTracker(5, Duration.ofMinutes(5), 1000);
		for (int i = 0; i < 100; i++) {
			expiring.denied("old-" + i, T0, "acme/app", List.of(), "x");
		}
		expiring.denied("new", T0.plus(Duration.ofMinutes(6)), "acme/app", List.of(), "x");
		assertThat(expiring.size()).isOne();
	}

}
