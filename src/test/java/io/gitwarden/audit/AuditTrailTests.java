package io.gitwarden.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.POJONode;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The audit trail's guarantees whatever an event holds: every line under 64 KiB and verifiable, a
 * failing field or sink never stops recording, and the query is bounded in bytes with a cursor.
 */
class AuditTrailTests {

	static final JsonMapper JSON = AuditConfiguration.JSON;

	@TempDir
	Path dir;

	AuditLog log(Path file) throws IOException {
		return new AuditLog(new AuditProperties(file, DataSize.ofMegabytes(100), 3, false, DataSize.ofMegabytes(4)),
				JSON);
	}

	ObjectNode event(String requestId) {
		ObjectNode event = JSON.createObjectNode();
		event.put("time", "2026-05-04T09:12:33.120Z");
		event.put("requestId", requestId);
		event.put("session", "ses_1");
		event.put("repo", "acme/widgets");
		event.put("decision", "denied");
		return event;
	}

	@Test
	void oversizedEventsAreCutUnder64KiBWithVisibleMarkersAndStillVerify() throws IOException {
		Path file = this.dir.resolve("audit.jsonl");
		List<ObjectNode> events = new ArrayList<>();
		// the push of issue 10: thousands of long, quote-laden ref names
		ObjectNode push = event("push");
		ArrayNode updates = push.putArray("updates");
		for (int i = 0; i < 2000; i++) {
			ObjectNode update = updates.addObject();
			update.put("ref", "refs/heads/" + "\"\\\u0085\u00e9".repeat(1000) + i);
			update.put("result", "rejected");
		}
		events.add(push);
		// one huge string, a deep nest, many fields in a nested object, arrays in arrays, a huge key
		ObjectNode big = event("string");
		big.put("userAgent", "\"".repeat(300_000));
		events.add(big);
		ObjectNode deep = event("deep");
		ObjectNode level = deep.putObject("nested");
		for (int i = 0; i < 2000; i++) {
			level = level.putObject("n");
		}
		events.add(deep);
		ObjectNode wide = event("wide");
		ObjectNode options = wide.putObject("options");
		for (int i = 0; i < 20000; i++) {
			options.put("option-" + i, "value-" + i);
		}
		events.add(wide);
		ObjectNode arrays = event("arrays");
		ArrayNode outer = arrays.putArray("objects");
		for (int i = 0; i < 300; i++) {
			ArrayNode inner = outer.addArray();
			for (int j = 0; j < 300; j++) {
				inner.add("entry-" + i + "-" + j);
			}
		}
		events.add(arrays);
		ObjectNode key = event("key");
		key.put("k".repeat(100_000), 1);
		events.add(key);

		try (AuditLog log = log(file)) {
			AuditTrail trail = new AuditTrail(JSON, log, List.of());
			events.forEach(trail::record);
			assertThat(trail.failures()).isZero();
		}
		List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
		assertThat(lines).hasSize(events.size());
		for (String line : lines) {
			assertThat(line.getBytes(StandardCharsets.UTF_8).length + 1).isLessThanOrEqualTo(64 * 1024);
			JsonNode node = JSON.readTree(line);
			assertThat(node.get("truncated").asBoolean()).as(line.substring(0, 100)).isTrue();
			assertThat(node.get("decision").asString()).isEqualTo("denied");
			assertThat(node.get("session").asString()).isEqualTo("ses_1");
		}
		JsonNode pushed = JSON.readTree(lines.get(0));
		assertThat(pushed.get("updatesOmitted").asInt()).isEqualTo(2000 - pushed.get("updates").size());
		assertThat(pushed.get("updates").get(0).get("ref").asString()).contains("...[cut ");
		JsonNode string = JSON.readTree(lines.get(1));
		assertThat(string.get("userAgent").asString()).startsWith("\"\"\"").endsWith(" chars]");
		assertThat(lines.get(2)).contains("...[nested too deep]");
		assertThat(JSON.readTree(lines.get(3)).get("options").get("...omittedFields").asInt()).isPositive();
		assertThat(JSON.readTree(lines.get(4)).get("objects").get(0).toString()).contains(" more]");
		// C1 controls are escaped, not written raw: the line is safe to print
		assertThat(lines.get(0)).contains("\\u0085").doesNotContain("\u0085");
		AuditVerifier.Result verified = AuditVerifier.verify(List.of(file));
		assertThat(verified.ok()).as(verified.toString()).isTrue();
		assertThat(verified.lines()).isEqualTo(events.size());
	}

	@Test
	void aFieldThatCannotBeSerializedStillLeavesAMinimalEventAndIsCounted() throws IOException {
		Path file = this.dir.resolve("audit.jsonl");
		try (AuditLog log = log(file)) {
			AuditTrail trail = new AuditTrail(JSON, log, List.of());
			ObjectNode event = event("broken");
			event.set("inspection", new POJONode(new Object() {
				@SuppressWarnings("unused")
				public String getValue() {
					throw new IllegalStateException("boom");
				}
			}));
			trail.record(event);
			trail.record(event("fine"));
			assertThat(trail.failures()).isOne();
		}
		List<String> lines = Files.readAllLines(file);
		assertThat(lines).hasSize(2);
		JsonNode minimal = JSON.readTree(lines.get(0));
		assertThat(minimal.get("requestId").asString()).isEqualTo("broken");
		assertThat(minimal.get("decision").asString()).isEqualTo("denied");
		assertThat(minimal.get("time").asString()).isEqualTo("2026-05-04T09:12:33.120Z");
		assertThat(minimal.get("recordingError").asString()).isNotBlank();
		assertThat(AuditVerifier.verify(List.of(file)).ok()).isTrue();
	}

	@Test
	void aSinkThatThrowsAnErrorDoesNotStopTheFileOrTheOtherSinks() throws IOException {
		Path file = this.dir.resolve("audit.jsonl");
		List<RecordedEvent> received = new ArrayList<>();
		try (AuditLog log = log(file)) {
			AuditSink failing = (event) -> {
				throw new OutOfMemoryError("simulated");
			};
			AuditTrail trail = new AuditTrail(JSON, log, List.of(failing, received::add));
			trail.record(event("a"));
			trail.record(event("b"));
			assertThat(trail.failures()).isEqualTo(2);
		}
		assertThat(Files.readAllLines(file)).hasSize(2);
		assertThat(received).extracting(RecordedEvent::requestId).containsExactly("a", "b");
		assertThat(received.get(0).session()).isEqualTo("ses_1");
		assertThat(received.get(0).repo()).isEqualTo("acme/widgets");
	}

	@Test
	void theQueryStopsAtItsByteBudgetAndTheCursorContinuesWithoutGapsOrRepeats() throws IOException {
		Path file = this.dir.resolve("audit.jsonl");
		try (AuditLog log = log(file)) {
			AuditTrail trail = new AuditTrail(JSON, log, List.of());
			for (int i = 0; i < 200; i++) {
				ObjectNode event = event("r" + i);
				event.put("decision", (i % 3 == 0) ? "allowed" : "denied");
				event.put("padding", "x".repeat(10_000));
				trail.record(event);
			}
			AuditReader reader = new AuditReader(log, JSON);
			AuditFilter denied = new AuditFilter(null, null, "denied", null);
			List<String> seen = new ArrayList<>();
			String cursor = null;
			int pages = 0;
			do {
				AuditQuery.Page page = reader.newestFirst(denied, cursor, 1000, 64 * 1024);
				long bytes = page.events().stream().mapToLong((e) -> e.length).sum();
				assertThat(bytes).isLessThanOrEqualTo(64 * 1024);
				assertThat(page.events()).isNotEmpty();
				for (byte[] event : page.events()) {
					seen.add(JSON.readTree(event).get("requestId").asString());
				}
				cursor = page.next();
				pages++;
			}
			while (cursor != null && pages < 100);
			List<String> expected = new ArrayList<>();
			for (int i = 199; i >= 0; i--) {
				if (i % 3 != 0) {
					expected.add("r" + i);
				}
			}
			assertThat(seen).isEqualTo(expected);
			assertThat(pages).isGreaterThan(20);
			Set<String> unique = new HashSet<>(seen);
			assertThat(unique).hasSameSizeAs(seen);
			// a limit ends a page with a cursor too
			AuditQuery.Page limited = reader.newestFirst(denied, null, 5, Long.MAX_VALUE);
			assertThat(limited.events()).hasSize(5);
			AuditQuery.Page after = reader.newestFirst(denied, limited.next(), 1, Long.MAX_VALUE);
			assertThat(JSON.readTree(after.events().get(0)).get("requestId").asString()).isEqualTo(expected.get(5));
		}
	}

}
