package io.gitwarden.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import io.gitwarden.auth.Grant;
import io.gitwarden.auth.RefPattern;
import io.gitwarden.refusal.RefusalReason;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.transport.ReceiveCommand;

import org.springframework.stereotype.Component;

/**
 * Decides which ref updates a session may make, one command at a time, from its grant for the
 * repository:
 * <ul>
 * <li>a branch ({@code refs/heads/X}) may be created or updated when a branch pattern of the grant
 * matches {@code X} and {@code X} is not protected ({@code warden.policy.protected-branches}, which no
 * pattern can override), and deleted only with {@code warden.policy.allow-branch-deletion};</li>
 * <li>a tag ({@code refs/tags/X}) may be created when a tag pattern matches; moving or deleting one needs
 * {@code warden.policy.allow-tag-updates};</li>
 * <li>everything else ({@code HEAD}, notes, pull refs, look-alikes) is refused.</li>
 * </ul>
 * Ref names compare exactly and case-sensitively, as git's do, in their UTF-8 form (the parser refuses
 * names that are not UTF-8).
 */
@Component
public class PushPolicy {

	private final PolicyProperties properties;

	public PushPolicy(PolicyProperties properties) {
		this.properties = properties;
	}

	/**
	 * @param grant the session's grant for the repository
	 * @param defaultBranch the upstream's default branch short name, or {@code null} when unknown
	 * @param commands the commands of the push
	 */
	public PushDecision decide(Grant grant, String defaultBranch, List<ReceiveCommand> commands) {
		List<RefVerdict> verdicts = new ArrayList<>(commands.size());
		for (ReceiveCommand command : commands) {
			verdicts.add(decide(grant, defaultBranch, command));
		}
		return PushDecision.wholeOrNothing(verdicts);
	}

	/** The verdict for one command. */
	public RefVerdict decide(Grant grant, String defaultBranch, ReceiveCommand command) {
		String name = command.getRefName();
		String allowed = allowedTargets(grant);
		String example = example(grant);
		if (name.startsWith(Constants.R_HEADS)) {
			String branch = name.substring(Constants.R_HEADS.length());
			if (isProtected(branch, defaultBranch)) {
				return RefVerdict.refused(command, RefusalReason.PROTECTED_BRANCH, name, allowed, example);
			}
			RefPattern pattern = grant.branchPattern(branch);
			if (pattern == null) {
				return RefVerdict.refused(command, RefusalReason.REF_NOT_SESSION_BRANCH, allowed, example);
			}
			if (command.getType() == ReceiveCommand.Type.DELETE && !this.properties.allowBranchDeletion()) {
				return RefVerdict.refused(command, RefusalReason.BRANCH_DELETION, name);
			}
			return RefVerdict.allowed(command, pattern.text());
		}
		if (name.startsWith(Constants.R_TAGS)) {
			RefPattern pattern = grant.tagPattern(name.substring(Constants.R_TAGS.length()));
			if (pattern == null) {
				return RefVerdict.refused(command, RefusalReason.TAG_PUSH, allowed, example);
			}
			if (command.getType() != ReceiveCommand.Type.CREATE && !this.properties.allowTagUpdates()) {
				return RefVerdict.refused(command, RefusalReason.TAG_UPDATE, name);
			}
			return RefVerdict.allowed(command, pattern.text());
		}
		return RefVerdict.refused(command, RefusalReason.REF_OUTSIDE_BRANCHES, allowed, example);
	}

	private boolean isProtected(String branch, String defaultBranch) {
		for (String entry : this.properties.protectedBranches()) {
			if (entry.equals(branch) || (PolicyProperties.DEFAULT_BRANCH.equals(entry) && branch.equals(defaultBranch))) {
				return true;
			}
		}
		return false;
	}

	/** What the grant lets the session push to, for messages: {@code refs/heads/agent/x, refs/tags/v*}. */
	static String allowedTargets(Grant grant) {
		List<String> targets = new ArrayList<>();
		grant.branches().forEach((pattern) -> targets.add(Constants.R_HEADS + pattern.text()));
		grant.tags().forEach((pattern) -> targets.add(Constants.R_TAGS + pattern.text()));
		return targets.isEmpty() ? "nothing" : targets.stream().collect(Collectors.joining(", "));
	}

	/** A branch to suggest in advice: the first branch pattern, wildcards shown as {@code <name>}. */
	static String example(Grant grant) {
		return grant.branches().isEmpty() ? "<branch>" : grant.branches().get(0).example();
	}

}
