package io.gitwarden.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import io.gitwarden.protocol.ProtocolException;
import io.gitwarden.protocol.ReceivePackCommandParser;
import io.gitwarden.protocol.ReceivePackRequest;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of reading the command section of a receive-pack request (what git-warden does before it
 * decides on a push): a typical one-ref push, and pushes updating many refs at once.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ReceivePackCommandParserBenchmark {

	private static final String CAPABILITIES = "report-status-v2 side-band-64k quiet object-format=sha1 agent=git/2.39.5";

	@Param({ "1", "100" })
	public int commands;

	private byte[] section;

	private ReceivePackCommandParser parser;

	@Setup
	public void setUp() throws IOException, ProtocolException {
		this.parser = new ReceivePackCommandParser(10_000, 4 << 20);
		Random random = new Random(42);
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (int i = 0; i < this.commands; i++) {
			String line = oid(random) + " " + oid(random) + " refs/heads/agent/bench" + ((i == 0) ? "" : "-" + i);
			if (i == 0) {
				line = line + "\0" + CAPABILITIES;
			}
			pkt(out, line);
		}
		out.write("0000".getBytes(StandardCharsets.US_ASCII));
		out.write("PACK\0\0\0\2\0\0\0\0".getBytes(StandardCharsets.ISO_8859_1));
		this.section = out.toByteArray();
		// fail fast if the input is not what the parser accepts
		ReceivePackRequest request = parse();
		if (request.commands().size() != this.commands) {
			throw new IllegalStateException("parsed " + request.commands().size() + " commands");
		}
	}

	@Benchmark
	public ReceivePackRequest parse() throws IOException, ProtocolException {
		return this.parser.parse(new ByteArrayInputStream(this.section));
	}

	private static String oid(Random random) {
		StringBuilder sb = new StringBuilder(40);
		for (int i = 0; i < 40; i++) {
			sb.append(Character.forDigit(random.nextInt(16), 16));
		}
		return sb.toString();
	}

	private static void pkt(ByteArrayOutputStream out, String line) throws IOException {
		byte[] data = line.getBytes(StandardCharsets.UTF_8);
		out.write(String.format("%04x", data.length + 4).getBytes(StandardCharsets.US_ASCII));
		out.write(data);
	}

}
