package io.gitwarden.githubapi;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import io.gitwarden.auth.Grant;
import io.gitwarden.auth.RefPattern;
import io.gitwarden.auth.SessionToken;
import io.gitwarden.policy.Permission;
import io.gitwarden.policy.PolicyProperties;

import org.springframework.stereotype.Component;

/**
 * Which branches a session's pull requests may come from: "the session branch" of a grant is any branch
 * its branch patterns match, except a protected one ({@code warden.policy.protected-branches}, the
 * upstream's default branch included), which no pattern reaches, as for pushes. Also the one line of
 * advice every refusal on the API routes carries: what the session may do instead.
 */
@Component
class SessionBranches {

	private final List<String> protectedBranches;

	SessionBranches(PolicyProperties policy) {
		this.protectedBranches = policy.protectedBranches();
	}

	/** True when {@code branch} (a short name) is a session branch of {@code grant}. */
	boolean isSessionBranch(Grant grant, String branch, String defaultBranch) {
		if (branch == null || branch.isEmpty() || isProtected(branch, defaultBranch)) {
			return false;
		}
		RefPattern pattern = grant.branchPattern(branch);
		return pattern != null;
	}

	private boolean isProtected(String branch, String defaultBranch) {
		for (String entry : this.protectedBranches) {
			if (entry.equals(branch) || (PolicyProperties.DEFAULT_BRANCH.equals(entry) && branch.equals(defaultBranch))) {
				return true;
			}
		}
		return false;
	}

	/** The grant's branch patterns for messages: {@code agent/work}, {@code claude/* or agent/x}. */
	static String branches(Grant grant) {
		if (grant.branches().isEmpty()) {
			return "(none: the token names no branch)";
		}
		return grant.branches().stream().map(RefPattern::text).collect(Collectors.joining(" or "));
	}

	/** A branch to suggest: the first pattern, wildcards shown as {@code <name>}. */
	static String example(Grant grant) {
		return grant.branches().isEmpty() ? "<branch>" : grant.branches().get(0).example();
	}

	/**
	 * What the session may do on the API, for advice: {@code this session may read acme/widget and open,
	 * update and comment on pull requests from agent/work there}.
	 */
	static String advice(SessionToken session) {
		if (session == null) {
			return "send the session token as 'Authorization: token <token>' (GH_ENTERPRISE_TOKEN for gh)";
		}
		List<String> reads = new ArrayList<>();
		List<String> prs = new ArrayList<>();
		for (Grant grant : session.grants()) {
			if (grant.has(Permission.FETCH)) {
				reads.add(grant.repository().toString());
			}
			if (grant.has(Permission.PR)) {
				prs.add("from " + branches(grant) + " in " + grant.repository());
			}
		}
		StringBuilder advice = new StringBuilder("this session may ");
		advice.append(reads.isEmpty() ? "read no repository" : "read " + String.join(", ", reads));
		if (!prs.isEmpty()) {
			advice.append(" and open, update and comment on pull requests ").append(String.join("; ", prs));
		}
		return advice.toString();
	}

}
