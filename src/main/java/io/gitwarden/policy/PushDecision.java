package io.gitwarden.policy;

import java.util.List;
import java.util.Optional;

/**
 * The policy's answer for a whole push. A push is forwarded only when every command is allowed; when
 * any is refused, nothing is forwarded and every command gets an {@code ng} line.
 *
 * @param verdicts one per command, in request order
 */
public record PushDecision(List<RefVerdict> verdicts) {

	public boolean isAllowed() {
		return this.verdicts.stream().allMatch(RefVerdict::isAllowed);
	}

	/** The first refusal that is about the ref itself (not the "another ref was refused" follow-up). */
	public Optional<RefVerdict> primaryRefusal() {
		return this.verdicts.stream()
			.filter((verdict) -> !verdict.isAllowed() && verdict.reason() != RefusalReason.NOT_PUSHED_OTHER_REF_REFUSED)
			.findFirst();
	}

}
