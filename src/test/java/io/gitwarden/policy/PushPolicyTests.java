package io.gitwarden.policy;

import java.util.List;

import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class PushPolicyTests {

	static final ObjectId A = ObjectId.fromString("a".repeat(40));

	static final ObjectId B = ObjectId.fromString("b".repeat(40));

	static final String BRANCH = "agent/fix-123";

	final PushPolicy policy = new PushPolicy(new PolicyProperties(false, 1000, 1 << 20));

	static ReceiveCommand command(String type, String ref) {
		return switch (type) {
			case "create" -> new ReceiveCommand(ObjectId.zeroId(), A, ref);
			case "update" -> new ReceiveCommand(A, B, ref);
			case "delete" -> new ReceiveCommand(A, ObjectId.zeroId(), ref);
			default -> throw new IllegalArgumentException(type);
		};
	}

	@ParameterizedTest(name = "{0} {1} -> {2}")
	@CsvSource(delimiter = '|', nullValues = "-", textBlock = """
			create | refs/heads/agent/fix-123      | -
			update | refs/heads/agent/fix-123      | -
			delete | refs/heads/agent/fix-123      | BRANCH_DELETION
			update | refs/heads/main               | REF_NOT_SESSION_BRANCH
			create | refs/heads/agent/fix-123-x    | REF_NOT_SESSION_BRANCH
			create | refs/heads/agent/fix-123/x    | REF_NOT_SESSION_BRANCH
			create | refs/heads/Agent/Fix-123      | REF_NOT_SESSION_BRANCH
			create | refs/heads/agent/fix-12       | REF_NOT_SESSION_BRANCH
			create | refs/tags/agent/fix-123       | TAG_PUSH
			create | refs/tags/v1                  | TAG_PUSH
			update | HEAD                          | REF_OUTSIDE_BRANCHES
			create | refs/notes/commits            | REF_OUTSIDE_BRANCHES
			create | refs/pull/1/head              | REF_OUTSIDE_BRANCHES
			create | refs/agent/fix-123            | REF_OUTSIDE_BRANCHES
			create | refs/remotes/origin/agent/fix-123 | REF_OUTSIDE_BRANCHES
			""")
	void onlyTheSessionBranchMayBeCreatedOrUpdated(String type, String ref, RefusalReason expected) {
		PushDecision decision = this.policy.decide(BRANCH, List.of(command(type, ref)));
		assertThat(decision.isAllowed()).isEqualTo(expected == null);
		assertThat(decision.verdicts().get(0).reason()).isEqualTo(expected);
	}

	@Test
	void refusalMessagesNameTheSessionBranchAndHowToPush() {
		RefVerdict verdict = this.policy.decide(BRANCH, List.of(command("update", "refs/heads/main"))).verdicts().get(0);
		assertThat(verdict.message()).isEqualTo("this session may push only to refs/heads/agent/fix-123");
		assertThat(verdict.advice()).isEqualTo("push your work with: git push origin HEAD:agent/fix-123");
	}

	@Test
	void oneRefusedCommandRefusesTheWholePush() {
		PushDecision decision = this.policy.decide(BRANCH,
				List.of(command("update", "refs/heads/agent/fix-123"), command("update", "refs/heads/main")));
		assertThat(decision.isAllowed()).isFalse();
		assertThat(decision.verdicts()).extracting(RefVerdict::reason)
			.containsExactly(RefusalReason.NOT_PUSHED_OTHER_REF_REFUSED, RefusalReason.REF_NOT_SESSION_BRANCH);
		assertThat(decision.primaryRefusal().orElseThrow().command().getRefName()).isEqualTo("refs/heads/main");
	}

	@Test
	void deletionCanBeAllowedByConfiguration() {
		PushPolicy permissive = new PushPolicy(new PolicyProperties(true, 1000, 1 << 20));
		assertThat(permissive.decide(BRANCH, List.of(command("delete", "refs/heads/agent/fix-123"))).isAllowed()).isTrue();
		assertThat(permissive.decide(BRANCH, List.of(command("delete", "refs/heads/main"))).isAllowed()).isFalse();
	}

	@Test
	void everyReasonHasAStableCodeAndOneLineMessages() {
		for (RefusalReason reason : RefusalReason.values()) {
			assertThat(reason.code()).matches("[a-z0-9-]+");
			assertThat(reason.message("x", "y")).doesNotContain("\n");
			assertThat(reason.advice("x", "y")).doesNotContain("\n");
		}
	}

}
