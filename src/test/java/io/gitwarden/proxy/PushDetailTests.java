package io.gitwarden.proxy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.gitwarden.policy.RefVerdict;
import io.gitwarden.refusal.RefusalReason;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;

/** What a push writes into its audit event. */
class PushDetailTests {

	static final ObjectId NEW = ObjectId.fromString("1111111111111111111111111111111111111111");

	@Test
	void aPushOfManyRefsRecordsAtMostAHundredRefusedFirstAndCountsTheRest() {
		List<RefVerdict> verdicts = new ArrayList<>();
		for (int i = 0; i < 120; i++) {
			verdicts.add(new RefVerdict(create("refs/heads/agent/" + i), null, null, null, "agent/*"));
		}
		for (int i = 0; i < 30; i++) {
			verdicts.add(RefVerdict.refused(create("refs/heads/main" + i), RefusalReason.PROTECTED_BRANCH,
					"refs/heads/main" + i, "refs/heads/agent/*", "agent/x"));
		}
		ObjectNode event = JsonMapper.builder().build().createObjectNode();
		new PushDetail(verdicts, List.of(), List.of(), Map.of(), null).writeTo(event);
		assertThat(event.get("updates").size()).isEqualTo(PushDetail.MAX_UPDATES);
		assertThat(event.get("updatesOmitted").asInt()).isEqualTo(50);
		assertThat(event.get("updates").get(0).get("ref").asString()).isEqualTo("refs/heads/main0");
		assertThat(event.get("updates").get(29).get("result").asString()).isEqualTo("rejected");
		assertThat(event.get("updates").get(30).get("ref").asString()).isEqualTo("refs/heads/agent/0");
	}

	@Test
	void aSmallPushKeepsItsOrderAndHasNoCount() {
		List<RefVerdict> verdicts = List.of(new RefVerdict(create("refs/heads/agent/x"), null, null, null, "agent/x"),
				RefVerdict.refused(create("refs/heads/main"), RefusalReason.PROTECTED_BRANCH, "refs/heads/main",
						"refs/heads/agent/x", "agent/x"));
		ObjectNode event = JsonMapper.builder().build().createObjectNode();
		new PushDetail(verdicts, List.of(), List.of(), Map.of(), null).writeTo(event);
		assertThat(event.get("updates").size()).isEqualTo(2);
		assertThat(event.get("updates").get(0).get("ref").asString()).isEqualTo("refs/heads/agent/x");
		assertThat(event.has("updatesOmitted")).isFalse();
	}

	static ReceiveCommand create(String ref) {
		return new ReceiveCommand(ObjectId.zeroId(), NEW, ref);
	}

}
