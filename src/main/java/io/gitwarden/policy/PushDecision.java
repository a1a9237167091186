package io.gitwarden.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.gitwarden.refusal.RefusalReason;

/**
 * The policy's answer for a whole push. A push is forwarded only when every command is allowed; when
 * any is refused, nothing is forwarded and every command gets an {@code ng} line.
 *
 * @param verdicts one per command, in request order
 */
public record PushDecision(List<RefVerdict> verdicts) {

	public PushDecision {
		verdicts = List.copyOf(verdicts);
	}

	public boolean isAllowed() {
		return this.verdicts.stream().allMatch(RefVerdict::isAllowed);
	}

	/** The first refusal that is about the ref itself (not the "another ref was refused" follow-up). */
	public Optional<RefVerdict> primaryRefusal() {
		return this.verdicts.stream()
			.filter((verdict) -> !verdict.isAllowed() && verdict.reason() != RefusalReason.NOT_PUSHED_OTHER_REF_REFUSED)
			.findFirst();
	}

	/**
	 * A decision where every refused command keeps its verdict and every allowed one is marked as not
	 * pushed because of another: nothing of a refused push is forwarded.
	 */
	public static PushDecision wholeOrNothing(List<RefVerdict> verdicts) {
		if (verdicts.stream().allMatch(RefVerdict::isAllowed)) {
			return new PushDecision(verdicts);
		}
		List<RefVerdict> all = new ArrayList<>(verdicts.size());
		for (RefVerdict verdict : verdicts) {
			all.add(verdict.isAllowed()
					? RefVerdict.refused(verdict.command(), RefusalReason.NOT_PUSHED_OTHER_REF_REFUSED) : verdict);
		}
		return new PushDecision(all);
	}

}
