package io.gitwarden.policy;

import java.util.List;
import java.util.Set;

import io.gitwarden.auth.Grant;
import io.gitwarden.auth.RefPattern;
import io.gitwarden.protocol.RepositoryId;
import io.gitwarden.refusal.RefusalReason;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class PushPolicyTests {

	static final ObjectId A = ObjectId.fromString("a".repeat(40));

	static final ObjectId B = ObjectId.fromString("b".repeat(40));

	static final Grant SINGLE = Grant.single(RepositoryId.parse("acme/app"), "agent/fix-123",
			Set.of(Permission.FETCH, Permission.PUSH));

	static final Grant PATTERNS = new Grant(RepositoryId.parse("acme/app"), Set.of(Permission.PUSH),
			List.of(RefPattern.of("claude/*"), RefPattern.of("release/**"), RefPattern.of("main")),
			List.of(RefPattern.of("agent-v*")));

	final PushPolicy policy = new PushPolicy(properties(false, false));

	static PolicyProperties properties(boolean deletion, boolean tagUpdates) {
		return new PolicyProperties(deletion, tagUpdates, List.of("main", "master", "HEAD"), 1000, 1 << 20);
	}

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
			update | refs/heads/main               | PROTECTED_BRANCH
			update | refs/heads/develop            | REF_NOT_SESSION_BRANCH
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
		PushDecision decision = this.policy.decide(SINGLE, null, List.of(command(type, ref)));
		assertThat(decision.isAllowed()).isEqualTo(expected == null);
		assertThat(decision.verdicts().get(0).reason()).isEqualTo(expected);
	}

	@ParameterizedTest(name = "{0} {1} -> {2}")
	@CsvSource(delimiter = '|', nullValues = "-", textBlock = """
			create | refs/heads/claude/x           | -
			update | refs/heads/claude/x           | -
			create | refs/heads/claude/x/y         | REF_NOT_SESSION_BRANCH
			create | refs/heads/claude             | REF_NOT_SESSION_BRANCH
			create | refs/heads/claudex/y          | REF_NOT_SESSION_BRANCH
			create | refs/heads/release/1          | -
			create | refs/heads/release/1/hotfix/2 | -
			update | refs/heads/main               | PROTECTED_BRANCH
			create | refs/heads/master            | PROTECTED_BRANCH
			update | refs/heads/trunk              | PROTECTED_BRANCH
			create | refs/tags/agent-v1            | -
			update | refs/tags/agent-v1            | TAG_UPDATE
			delete | refs/tags/agent-v1            | TAG_UPDATE
			create | refs/tags/v1                  | TAG_PUSH
			create | refs/tags/agent-v1/x          | TAG_PUSH
			""")
	void grantPatternsProtectedBranchesAndTags(String type, String ref, RefusalReason expected) {
		PushDecision decision = this.policy.decide(PATTERNS, "trunk", List.of(command(type, ref)));
		assertThat(decision.verdicts().get(0).reason()).isEqualTo(expected);
	}

	@Test
	void theDefaultBranchIsProtectedOnlyWhenKnown() {
		Grant trunk = Grant.single(RepositoryId.parse("acme/app"), "trunk", Set.of(Permission.PUSH));
		assertThat(this.policy.decide(trunk, "trunk", List.of(command("update", "refs/heads/trunk"))).isAllowed())
			.isFalse();
		assertThat(this.policy.decide(trunk, null, List.of(command("update", "refs/heads/trunk"))).isAllowed()).isTrue();
	}

	@Test
	void tagUpdatesCanBeAllowedByConfiguration() {
		PushPolicy permissive = new PushPolicy(properties(false, true));
		assertThat(permissive.decide(PATTERNS, null, List.of(command("update", "refs/tags/agent-v1"))).isAllowed())
			.isTrue();
	}

	@Test
	void refusalMessagesNameWhatTheSessionMayPushAndHow() {
		RefVerdict verdict = this.policy.decide(SINGLE, null, List.of(command("update", "refs/heads/develop")))
			.verdicts()
			.get(0);
		assertThat(verdict.message()).isEqualTo("this session may push only to refs/heads/agent/fix-123");
		assertThat(verdict.advice()).isEqualTo("push your work with: git push origin HEAD:agent/fix-123");
		RefVerdict pattern = this.policy.decide(PATTERNS, null, List.of(command("create", "refs/heads/x"))).verdicts().get(0);
		assertThat(pattern.message()).isEqualTo(
				"this session may push only to refs/heads/claude/*, refs/heads/release/**, refs/heads/main, refs/tags/agent-v*");
		assertThat(pattern.advice()).isEqualTo("push your work with: git push origin HEAD:claude/<name>");
		RefVerdict main = this.policy.decide(SINGLE, null, List.of(command("update", "refs/heads/main"))).verdicts().get(0);
		assertThat(main.message())
			.isEqualTo("refs/heads/main is protected; this session may push only to refs/heads/agent/fix-123");
		assertThat(main.advice())
			.isEqualTo("push your work with: git push origin HEAD:agent/fix-123, then open a pull request");
	}

	@Test
	void allowedVerdictsNameTheGrantPatternThatMatched() {
		RefVerdict verdict = this.policy.decide(PATTERNS, null, List.of(command("create", "refs/heads/claude/x")))
			.verdicts()
			.get(0);
		assertThat(verdict.pattern()).isEqualTo("claude/*");
	}

	@Test
	void oneRefusedCommandRefusesTheWholePush() {
		PushDecision decision = this.policy.decide(SINGLE, null,
				List.of(command("update", "refs/heads/agent/fix-123"), command("update", "refs/heads/develop")));
		assertThat(decision.isAllowed()).isFalse();
		assertThat(decision.verdicts()).extracting(RefVerdict::reason)
			.containsExactly(RefusalReason.NOT_PUSHED_OTHER_REF_REFUSED, RefusalReason.REF_NOT_SESSION_BRANCH);
		assertThat(decision.primaryRefusal().orElseThrow().command().getRefName()).isEqualTo("refs/heads/develop");
	}

	@Test
	void deletionCanBeAllowedByConfiguration() {
		PushPolicy permissive = new PushPolicy(properties(true, false));
		assertThat(permissive.decide(SINGLE, null, List.of(command("delete", "refs/heads/agent/fix-123"))).isAllowed())
			.isTrue();
		assertThat(permissive.decide(SINGLE, null, List.of(command("delete", "refs/heads/main"))).isAllowed()).isFalse();
	}

	@Test
	void everyReasonHasAStableCodeAndOneLineMessages() {
		for (RefusalReason reason : RefusalReason.values()) {
			assertThat(reason.code()).matches("[a-z0-9]+(-[a-z0-9]+)*");
			assertThat(reason.message("x", "y", "z")).doesNotContain("\n").doesNotContain("%");
			assertThat(reason.advice("x", "y", "z")).doesNotContain("\n").doesNotContain("%");
		}
	}

}
