package io.gitwarden.policy;

import java.util.ArrayList;
import java.util.List;

import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.transport.ReceiveCommand;

import org.springframework.stereotype.Component;

/**
 * Decides which ref updates a session may make: it may create or update exactly
 * {@code refs/heads/<branch>}, and delete it only when {@code warden.policy.allow-branch-deletion} is
 * true. Everything else is refused: other branches, look-alikes ({@code <branch>-x},
 * {@code <branch>/x}, other case), tags, {@code HEAD} and anything outside {@code refs/heads/}. The
 * comparison is exact and case-sensitive because git ref names are.
 */
@Component
public class PushPolicy {

	private final boolean allowBranchDeletion;

	public PushPolicy(PolicyProperties properties) {
		this.allowBranchDeletion = properties.allowBranchDeletion();
	}

	/**
	 * @param branch the session's branch short name, e.g. {@code agent/fix-123}
	 * @param commands the commands of the push
	 */
	public PushDecision decide(String branch, List<ReceiveCommand> commands) {
		String sessionRef = Constants.R_HEADS + branch;
		List<RefVerdict> verdicts = new ArrayList<>(commands.size());
		boolean anyRefused = false;
		for (ReceiveCommand command : commands) {
			RefVerdict verdict = decide(sessionRef, branch, command);
			anyRefused |= !verdict.isAllowed();
			verdicts.add(verdict);
		}
		if (anyRefused) {
			// Nothing is forwarded, so the allowed ones were not pushed either: say so per ref.
			verdicts.replaceAll((verdict) -> verdict.isAllowed()
					? RefVerdict.refused(verdict.command(), RefusalReason.NOT_PUSHED_OTHER_REF_REFUSED) : verdict);
		}
		return new PushDecision(List.copyOf(verdicts));
	}

	private RefVerdict decide(String sessionRef, String branch, ReceiveCommand command) {
		String name = command.getRefName();
		if (!name.equals(sessionRef)) {
			if (name.startsWith(Constants.R_TAGS)) {
				return RefVerdict.refused(command, RefusalReason.TAG_PUSH, sessionRef, branch);
			}
			if (!name.startsWith(Constants.R_HEADS)) {
				return RefVerdict.refused(command, RefusalReason.REF_OUTSIDE_BRANCHES, sessionRef, branch);
			}
			return RefVerdict.refused(command, RefusalReason.REF_NOT_SESSION_BRANCH, sessionRef, branch);
		}
		if (command.getType() == ReceiveCommand.Type.DELETE && !this.allowBranchDeletion) {
			return RefVerdict.refused(command, RefusalReason.BRANCH_DELETION, sessionRef);
		}
		return RefVerdict.allowed(command);
	}

}
