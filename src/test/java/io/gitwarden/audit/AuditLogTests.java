package io.gitwarden.audit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

class AuditLogTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@TempDir
	Path dir;

	@Test
	void firstLineStartsAtGenesisAndEachLineChainsToThePrevious() throws IOException {
		Path file = this.dir.resolve("audit.jsonl");
		try (AuditLog log = log(file, DataSize.ofMegabytes(1))) {
			for (int i = 0; i < 5; i++) {
				log.append(event(i));
			}
		}
		List<String> lines = Files.readAllLines(file);
		assertThat(lines).hasSize(5);
		assertThat(JSON.readTree(lines.get(0)).get("prev").asString()).isEqualTo(AuditChain.GENESIS);
		for (int i = 1; i < lines.size(); i++) {
			assertThat(JSON.readTree(lines.get(i)).get("prev").asString())
				.isEqualTo(AuditChain.sha256(lines.get(i - 1).getBytes(StandardCharsets.UTF_8)));
		}
		AuditVerifier.Result result = AuditVerifier.verify(List.of(file));
		assertThat(result.ok()).isTrue();
		assertThat(result.toString()).isEqualTo("OK 5 lines (from genesis)");
	}

	@Test
	void verifierFindsAnEditedLine() throws IOException {
		Path file = writeEvents(5);
		List<String> lines = new ArrayList<>(Files.readAllLines(file));
		lines.set(2, lines.get(2).replace("\"n\":2", "\"n\":7"));
		Files.write(file, lines);
		AuditVerifier.Result result = AuditVerifier.verify(List.of(file));
		assertThat(result.ok()).isFalse();
		assertThat(result.file()).isEqualTo(file);
		assertThat(result.lineNumber()).isEqualTo(4); // the line after the edited one no longer matches
	}

	@Test
	void verifierFindsADeletedLine() throws IOException {
		Path file = writeEvents(5);
		List<String> lines = new ArrayList<>(Files.readAllLines(file));
		lines.remove(1);
		Files.write(file, lines);
		AuditVerifier.Result result = AuditVerifier.verify(List.of(file));
		assertThat(result.ok()).isFalse();
		assertThat(result.lineNumber()).isEqualTo(2);
	}

	@Test
	void verifierFindsALineThatIsNotJson() throws IOException {
		Path file = writeEvents(3);
		Files.writeString(file, "garbage\n", java.nio.file.StandardOpenOption.APPEND);
		AuditVerifier.Result result = AuditVerifier.verify(List.of(file));
		assertThat(result.ok()).isFalse();
		assertThat(result.lineNumber()).isEqualTo(4);
	}

	@Test
	void commandLineReportsAndExits() throws IOException {
		Path file = writeEvents(3);
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		assertThat(AuditVerifier.run(List.of(file.toString()), new PrintStream(out), new PrintStream(err))).isZero();
		assertThat(out.toString()).startsWith("OK 3 lines");
		List<String> lines = new ArrayList<>(Files.readAllLines(file));
		lines.remove(0);
		Files.write(file, lines);
		// without the first line the chain still holds, but no longer from genesis: the report says so
		out.reset();
		assertThat(AuditVerifier.run(List.of(file.toString()), new PrintStream(out), new PrintStream(err))).isZero();
		assertThat(out.toString()).startsWith("OK 2 lines (continuing from ");
		lines.remove(0);
		lines.add(0, "{\"prev\":\"" + AuditChain.GENESIS + "\"}");
		Files.write(file, lines);
		assertThat(AuditVerifier.run(List.of(file.toString()), new PrintStream(out), new PrintStream(err))).isOne();
		assertThat(err.toString()).startsWith("BROKEN " + file + ":2: ");
	}

	@Test
	void rotationKeepsTheChainAcrossFilesAndKeepsMaxFiles() throws IOException {
		Path file = this.dir.resolve("audit.jsonl");
		try (AuditLog log = new AuditLog(new AuditProperties(file, DataSize.ofKilobytes(64), 3, false, DataSize.ofMegabytes(4)), JSON)) {
			for (int i = 0; i < 2000; i++) {
				log.append(event(i));
			}
			assertThat(log.filesNewestFirst()).hasSize(4);
		}
		assertThat(Files.size(file)).isLessThanOrEqualTo(64 * 1024);
		List<Path> oldestFirst = List.of(Path.of(file + ".3"), Path.of(file + ".2"), Path.of(file + ".1"), file);
		AuditVerifier.Result result = AuditVerifier.verify(oldestFirst);
		assertThat(result.ok()).as(result.toString()).isTrue();
		assertThat(result.anchor()).isNotEqualTo(AuditChain.GENESIS); // the oldest files were dropped
		String firstOfCurrent = Files.readAllLines(file).get(0);
		List<String> previousFile = Files.readAllLines(Path.of(file + ".1"));
		assertThat(JSON.readTree(firstOfCurrent).get("prev").asString())
			.isEqualTo(AuditChain.sha256(previousFile.get(previousFile.size() - 1).getBytes(StandardCharsets.UTF_8)));
		// out of order, the chain breaks at the file boundary
		assertThat(AuditVerifier.verify(List.of(file, Path.of(file + ".1"))).ok()).isFalse();
	}

	@Test
	void restartContinuesTheChainFromTheLastLine() throws IOException {
		Path file = this.dir.resolve("audit.jsonl");
		try (AuditLog log = log(file, DataSize.ofMegabytes(1))) {
			log.append(event(1));
			log.append(event(2));
		}
		try (AuditLog log = log(file, DataSize.ofMegabytes(1))) {
			log.append(event(3));
		}
		AuditVerifier.Result result = AuditVerifier.verify(List.of(file));
		assertThat(result.toString()).isEqualTo("OK 3 lines (from genesis)");
	}

	@Test
	void restartAfterACutLineEndsItAndTheVerifierReportsIt() throws IOException {
		Path file = writeEvents(2);
		Files.writeString(file, "{\"n\":", java.nio.file.StandardOpenOption.APPEND);
		try (AuditLog log = log(file, DataSize.ofMegabytes(1))) {
			log.append(event(3));
		}
		assertThat(Files.readAllLines(file)).hasSize(4);
		AuditVerifier.Result result = AuditVerifier.verify(List.of(file));
		assertThat(result.ok()).isFalse();
		assertThat(result.lineNumber()).isEqualTo(3);
	}

	@Test
	void readerReturnsNewestFirstAcrossRotatedFilesUpToTheLimit() throws IOException {
		Path file = this.dir.resolve("audit.jsonl");
		try (AuditLog log = new AuditLog(new AuditProperties(file, DataSize.ofKilobytes(64), 5, false, DataSize.ofMegabytes(4)), JSON)) {
			for (int i = 0; i < 1500; i++) {
				ObjectNode event = event(i);
				event.put("session", (i % 2 == 0) ? "even" : "odd");
				log.append(event);
			}
			assertThat(log.filesNewestFirst().size()).isGreaterThan(1);
			AuditReader reader = new AuditReader(log, JSON);
			List<JsonNode> newest = reader.newestFirst(new AuditFilter(null, null, null, null), 3);
			assertThat(newest).extracting((node) -> node.get("n").asInt()).containsExactly(1499, 1498, 1497);
			List<JsonNode> odd = reader.newestFirst(new AuditFilter("odd", null, null, null), 1000);
			assertThat(odd).hasSize(750);
			assertThat(odd.get(0).get("n").asInt()).isEqualTo(1499);
			assertThat(odd.get(749).get("n").asInt()).isEqualTo(1);
		}
	}

	@Test
	void devStdoutWritesWholeChainedLinesToStandardOutputAndCannotBeReadBack() throws IOException {
		PrintStream original = System.out;
		ByteArrayOutputStream captured = new ByteArrayOutputStream();
		System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
		try (AuditLog log = log(AuditLog.STDOUT, DataSize.ofMegabytes(1))) {
			assertThat(log.target()).isEqualTo(AuditLog.Target.STDOUT);
			log.append(event(1));
			log.append(event(2));
			org.assertj.core.api.Assertions.assertThatExceptionOfType(UnsupportedOperationException.class)
				.isThrownBy(log::openNewestFirst);
		}
		finally {
			System.setOut(original);
		}
		String[] lines = captured.toString(StandardCharsets.UTF_8).split("\n");
		assertThat(lines).hasSize(2);
		assertThat(JSON.readTree(lines[0]).get("prev").asString()).isEqualTo(AuditChain.GENESIS);
		assertThat(JSON.readTree(lines[1]).get("prev").asString())
			.isEqualTo(AuditChain.sha256(lines[0].getBytes(StandardCharsets.UTF_8)));
	}

	private Path writeEvents(int count) throws IOException {
		Path file = this.dir.resolve("audit.jsonl");
		try (AuditLog log = log(file, DataSize.ofMegabytes(1))) {
			for (int i = 0; i < count; i++) {
				log.append(event(i));
			}
		}
		return file;
	}

	private static AuditLog log(Path file, DataSize maxFileSize) throws IOException {
		return new AuditLog(new AuditProperties(file, maxFileSize, 3, false, DataSize.ofMegabytes(4)), JSON);
	}

	private static ObjectNode event(int n) {
		ObjectNode event = JSON.createObjectNode();
		event.put("time", "2026-01-01T00:00:00Z");
		event.put("n", n);
		event.put("padding", "x".repeat(100));
		return event;
	}

}
