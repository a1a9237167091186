package io.gitwarden.protocol;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.jgit.transport.PacketLineOut;
import org.eclipse.jgit.transport.SideBandOutputStream;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ReportStatusParserTests {

	private static final List<String> EXPECTED = List.of("refs/heads/agent/x ok", "refs/heads/main ng hook declined: no",
			"refs/tags/v1 ng ");

	@Test
	void plainReportSplitAtEveryByteBoundary() throws IOException {
		byte[] report = report(false);
		for (int split = 0; split <= report.length; split++) {
			assertThat(parse(SideBand.NONE, report, split)).as("split at %d", split).isEqualTo(EXPECTED);
		}
	}

	@Test
	void sideBandReportSplitAtEveryByteBoundary() throws IOException {
		byte[] report = report(true);
		for (int split = 0; split <= report.length; split++) {
			assertThat(parse(SideBand.LARGE, report, split)).as("split at %d", split).isEqualTo(EXPECTED);
		}
	}

	@Test
	void sideBandReportFedOneByteAtATime() throws IOException {
		byte[] report = report(true);
		List<String> results = new ArrayList<>();
		ReportStatusParser parser = parser(SideBand.LARGE, results);
		for (byte b : report) {
			parser.write(b);
		}
		assertThat(results).isEqualTo(EXPECTED);
		assertThat(parser.isComplete()).isTrue();
		assertThat(parser.unpackStatus()).isEqualTo("ok");
	}

	@Test
	void reportStatusV2OptionLinesAreSkipped() throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		PacketLineOut lines = new PacketLineOut(out);
		lines.writeString("unpack ok\n");
		lines.writeString("ok refs/heads/agent/x\n");
		lines.writeString("option refname refs/heads/agent/y\n");
		lines.end();
		List<String> results = new ArrayList<>();
		parser(SideBand.NONE, results).write(out.toByteArray());
		assertThat(results).containsExactly("refs/heads/agent/x ok");
	}

	@Test
	void garbageStopsParsingWithoutThrowing() {
		List<String> results = new ArrayList<>();
		ReportStatusParser parser = parser(SideBand.LARGE, results);
		parser.write("<html>not a report</html>".getBytes(StandardCharsets.UTF_8));
		parser.write(new byte[] { 0, 1, 2, (byte) 0xff });
		assertThat(parser.isMalformed()).isTrue();
		assertThat(results).isEmpty();
	}

	@Test
	void oversizedPacketLengthIsMalformed() {
		ReportStatusParser parser = parser(SideBand.NONE, new ArrayList<>());
		parser.write("fff1".getBytes(StandardCharsets.US_ASCII));
		assertThat(parser.isMalformed()).isTrue();
	}

	@Test
	void longLinesAreCutAndResultsBounded() throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		PacketLineOut lines = new PacketLineOut(out);
		lines.writeString("unpack ok\n");
		lines.writeString("ng refs/heads/a " + "x".repeat(20_000) + "\n");
		lines.writeString("ok refs/heads/b\n");
		lines.writeString("ok refs/heads/c\n");
		lines.end();
		List<String> results = new ArrayList<>();
		new ReportStatusParser(SideBand.NONE, 2, (ref, ok, reason) -> results.add(ref + " " + (ok ? "ok" : reason.length())))
			.write(out.toByteArray());
		assertThat(results).containsExactly("refs/heads/a " + (ReportStatusParser.MAX_LINE_BYTES - "ng refs/heads/a ".length()),
				"refs/heads/b ok");
	}

	@Test
	void listenerFailureDoesNotStopParsing() throws IOException {
		List<String> results = new ArrayList<>();
		ReportStatusParser parser = new ReportStatusParser(SideBand.NONE, 10, (ref, ok, reason) -> {
			results.add(ref);
			throw new IllegalStateException("boom");
		});
		parser.write(report(false));
		assertThat(results).hasSize(3);
		assertThat(parser.isComplete()).isTrue();
	}

	private static ReportStatusParser parser(SideBand sideBand, List<String> results) {
		return new ReportStatusParser(sideBand, 100, (ref, ok, reason) -> results.add(ref + " " + (ok ? "ok" : "ng " + reason)));
	}

	private static List<String> parse(SideBand sideBand, byte[] bytes, int split) {
		List<String> results = new ArrayList<>();
		ReportStatusParser parser = parser(sideBand, results);
		parser.write(bytes, 0, split);
		parser.write(bytes, split, bytes.length - split);
		assertThat(parser.isMalformed()).isFalse();
		assertThat(parser.isComplete()).isTrue();
		return results;
	}

	/** A report as JGit's ReceivePack writes it, with a progress message first when side-band is used. */
	private static byte[] report(boolean sideBand) throws IOException {
		ByteArrayOutputStream inner = new ByteArrayOutputStream();
		PacketLineOut lines = new PacketLineOut(inner);
		lines.writeString("unpack ok\n");
		lines.writeString("ok refs/heads/agent/x\n");
		lines.writeString("ng refs/heads/main hook declined: no\n");
		lines.writeString("ng refs/tags/v1\n");
		lines.end();
		if (!sideBand) {
			return inner.toByteArray();
		}
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		SideBandOutputStream progress = new SideBandOutputStream(SideBandOutputStream.CH_PROGRESS, 1000, out);
		progress.write("checking...\n".getBytes(StandardCharsets.UTF_8));
		progress.flush();
		// small packets so that the report spans several side-band packets
		SideBandOutputStream data = new SideBandOutputStream(SideBandOutputStream.CH_DATA, 20, out);
		inner.writeTo(data);
		data.flush();
		new PacketLineOut(out).end();
		return out.toByteArray();
	}

}
