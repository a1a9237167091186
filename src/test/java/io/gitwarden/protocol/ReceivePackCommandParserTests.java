package io.gitwarden.protocol;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import io.gitwarden.protocol.ProtocolException.Kind;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class ReceivePackCommandParserTests {

	static final String ZERO = "0".repeat(40);

	static final String A = "a".repeat(40);

	static final String B = "b".repeat(40);

	final ReceivePackCommandParser parser = new ReceivePackCommandParser(10, 4096);

	static String pkt(String payload) {
		return String.format("%04x", payload.getBytes(StandardCharsets.UTF_8).length + 4) + payload;
	}

	static InputStream stream(String text) {
		return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
	}

	@Test
	void readsCommandsCapabilitiesAndStopsAtThePack() throws Exception {
		String section = pkt(A + " " + B + " refs/heads/agent/x\0 report-status-v2 side-band-64k quiet agent=git/2.39")
				+ pkt(ZERO + " " + A + " refs/heads/new") + "0000";
		InputStream in = stream(section + "PACKdata");
		ReceivePackRequest request = this.parser.parse(in);
		assertThat(request.commands()).extracting(ReceiveCommand::getRefName)
			.containsExactly("refs/heads/agent/x", "refs/heads/new");
		assertThat(request.commands()).extracting(ReceiveCommand::getType)
			.containsExactly(ReceiveCommand.Type.UPDATE, ReceiveCommand.Type.CREATE);
		assertThat(request.commands().get(0).getNewId()).isEqualTo(ObjectId.fromString(B));
		assertThat(request.capabilities()).containsExactly("report-status-v2", "side-band-64k", "quiet", "agent=git/2.39");
		assertThat(request.sideBand()).isEqualTo(SideBand.LARGE);
		assertThat(request.wantsReport()).isTrue();
		assertThat(request.sectionLength()).isEqualTo(section.getBytes(StandardCharsets.UTF_8).length);
		assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("PACKdata");
	}

	@Test
	void readsShallowLinesAndPushOptions() throws Exception {
		String section = pkt("shallow " + A) + pkt(A + " " + B + " refs/heads/x\0 report-status push-options\n")
				+ "0000" + pkt("ci.skip\n") + pkt("reviewer=me") + "0000";
		ReceivePackRequest request = this.parser.parse(stream(section + "PACK"));
		assertThat(request.shallowCount()).isEqualTo(1);
		assertThat(request.pushOptions()).containsExactly("ci.skip", "reviewer=me");
		assertThat(request.sectionLength()).isEqualTo(section.length());
	}

	@Test
	void probeHasNoCommands() throws Exception {
		ReceivePackRequest request = this.parser.parse(stream("0000"));
		assertThat(request.isProbe()).isTrue();
		assertThat(request.sideBand()).isEqualTo(SideBand.NONE);
	}

	@Test
	void deletionIsACommandWithAZeroNewId() throws Exception {
		ReceivePackRequest request = this.parser.parse(stream(pkt(A + " " + ZERO + " refs/heads/x\0 report-status") + "0000"));
		assertThat(request.commands().get(0).getType()).isEqualTo(ReceiveCommand.Type.DELETE);
	}

	@Test
	void refNamesThatAreNotUtf8AreRefused() throws Exception {
		byte[] name = "refs/heads/caf\u00e9".getBytes(StandardCharsets.ISO_8859_1);
		byte[] line = (A + " " + B + " ").getBytes(StandardCharsets.US_ASCII);
		byte[] payload = new byte[line.length + name.length];
		System.arraycopy(line, 0, payload, 0, line.length);
		System.arraycopy(name, 0, payload, line.length, name.length);
		byte[] section = new byte[payload.length + 8];
		System.arraycopy(String.format("%04x", payload.length + 4).getBytes(StandardCharsets.US_ASCII), 0, section, 0, 4);
		System.arraycopy(payload, 0, section, 4, payload.length);
		System.arraycopy("0000".getBytes(StandardCharsets.US_ASCII), 0, section, 4 + payload.length, 4);
		// "café" in Latin-1 would read as the allowed UTF-8 name and create another branch upstream
		assertThatExceptionOfType(ProtocolException.class)
			.isThrownBy(() -> this.parser.parse(new ByteArrayInputStream(section)))
			.satisfies((ex) -> assertThat(ex.kind()).isEqualTo(Kind.MALFORMED))
			.withMessageContaining("UTF-8");
		byte[] utf8 = (pkt(A + " " + B + " refs/heads/caf\u00e9") + "0000").getBytes(StandardCharsets.UTF_8);
		assertThat(this.parser.parse(new ByteArrayInputStream(utf8)).commands().get(0).getRefName())
			.isEqualTo("refs/heads/caf\u00e9");
	}

	@Test
	void capabilitiesAreMatchedByNameAsGitDoes() throws Exception {
		// git's receive-pack takes "push-options=1" for push-options: so must git-warden, or the options
		// would pass unchecked as if they were the pack
		String section = pkt(A + " " + B + " refs/heads/x\0report-status push-options=1") + "0000"
				+ pkt("ci.skip") + pkt("x=y") + "0000";
		ReceivePackRequest request = this.parser.parse(stream(section + "PACK"));
		assertThat(request.pushOptions()).containsExactly("ci.skip", "x=y");
		assertThat(request.sectionLength()).isEqualTo(section.length());
		assertThatExceptionOfType(ProtocolException.class)
			.isThrownBy(() -> this.parser.parse(stream(pkt(A + " " + B + " refs/heads/x\0push-options=1") + "0000"
					+ pkt("bad\u0001option") + "0000")));
	}

	@Test
	void scanHandsOverCommandsWithoutKeepingThem() throws Exception {
		String section = pkt(A + " " + B + " refs/heads/a\0report-status") + pkt(A + " " + B + " refs/heads/b") + "0000";
		List<String> seen = new java.util.ArrayList<>();
		ReceivePackRequest request = this.parser.scan(stream(section), (command) -> seen.add(command.getRefName()));
		assertThat(seen).containsExactly("refs/heads/a", "refs/heads/b");
		assertThat(request.commands()).isEmpty();
		assertThat(request.commandCount()).isEqualTo(2);
		assertThat(request.sectionLength()).isEqualTo(section.length());
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			bad header             | zzzz                                       | MALFORMED
			reserved length        | 0002                                       | MALFORMED
			truncated              | 0030aaaa                                   | MALFORMED
			no flush               | 0008abcd                                   | MALFORMED
			empty                  | ''                                         | MALFORMED
			short command          | 000babcdefg0000                            | MALFORMED
			push certificate       | 000dpush-cert0000                          | UNSUPPORTED
			""")
	void rejectsMalformedInput(String name, String input, Kind kind) {
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> this.parser.parse(stream(input)))
			.satisfies((ex) -> assertThat(ex.kind()).isEqualTo(kind));
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			uppercase is fine but z is not | zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz | refs/heads/x  | old object id
			id too short                   | aaaa                                     | refs/heads/x  | command is not
			double dot                     | aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | refs/heads/.. | invalid ref name
			lock suffix                    | aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | refs/heads/x.lock | invalid ref name
			single component               | aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | main          | invalid ref name
			space in name                  | aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | refs/heads/a b | invalid ref name
			""")
	void validatesEveryField(String name, String oldId, String ref, String message) {
		String input = pkt(oldId + " " + B + " " + ref + "\0report-status") + "0000";
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> this.parser.parse(stream(input)))
			.withMessageContaining(message)
			.satisfies((ex) -> assertThat(ex.kind()).isEqualTo(Kind.MALFORMED));
	}

	@Test
	void headIsParsedSoThePolicyCanRefuseIt() throws Exception {
		ReceivePackRequest request = this.parser.parse(stream(pkt(A + " " + B + " HEAD\0report-status") + "0000"));
		assertThat(request.commands().get(0).getRefName()).isEqualTo("HEAD");
	}

	@Test
	void limitsTheNumberOfCommandsAndRemembersTheSideBand() {
		StringBuilder input = new StringBuilder(pkt(ZERO + " " + A + " refs/heads/b0\0 side-band-64k report-status"));
		for (int i = 1; i <= 10; i++) {
			input.append(pkt(ZERO + " " + A + " refs/heads/b" + i));
		}
		input.append("0000");
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> this.parser.parse(stream(input.toString())))
			.withMessage("push updates more than 10 refs")
			.satisfies((ex) -> {
				assertThat(ex.kind()).isEqualTo(Kind.TOO_LARGE);
				assertThat(ex.sideBand()).isEqualTo(SideBand.LARGE);
			});
	}

	@Test
	void limitsTheBytesReadBeforeThePack() {
		ReceivePackCommandParser small = new ReceivePackCommandParser(1000, 200);
		String input = pkt(ZERO + " " + A + " refs/heads/b0\0 report-status") + pkt(ZERO + " " + A + " refs/heads/b1")
				+ pkt(ZERO + " " + A + " refs/heads/b2") + "0000";
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> small.parse(stream(input)))
			.withMessage("push command section exceeds 200 bytes")
			.satisfies((ex) -> assertThat(ex.kind()).isEqualTo(Kind.TOO_LARGE));
	}

	@Test
	void refusesSha256Repositories() {
		String input = pkt(ZERO + " " + A + " refs/heads/x\0 object-format=sha256") + "0000";
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> this.parser.parse(stream(input)))
			.satisfies((ex) -> assertThat(ex.kind()).isEqualTo(Kind.UNSUPPORTED));
	}

	@Test
	void aClientThatGoesAwayIsAnIoErrorNotAProtocolError() {
		InputStream failing = new InputStream() {
			@Override
			public int read() throws IOException {
				throw new IOException("connection reset");
			}
		};
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> this.parser.parse(failing))
			.withMessage("connection reset");
	}

	/**
	 * Random bytes never crash the parser: it either returns a request whose consumed bytes are a prefix
	 * of the input: its length is within the limit, or refuses with a {@link ProtocolException}.
	 */
	@Property(tries = 2000)
	void randomBytesAreRefusedOrParsedWithinLimits(@ForAll @Size(max = 600) byte[] input) throws IOException {
		ReceivePackCommandParser bounded = new ReceivePackCommandParser(5, 512);
		try {
			ReceivePackRequest request = bounded.parse(new ByteArrayInputStream(input));
			assertThat(request.sectionLength()).isLessThanOrEqualTo(Math.min(512, input.length));
			assertThat(request.commands().size()).isLessThanOrEqualTo(5);
		}
		catch (ProtocolException ex) {
			assertThat(ex.getMessage()).isNotBlank();
		}
	}

	/** Valid command sections with random refs and ids round-trip exactly. */
	@Property(tries = 500)
	void validSectionsRoundTrip(@ForAll("refNames") List<String> names) throws Exception {
		StringBuilder section = new StringBuilder();
		for (int i = 0; i < names.size(); i++) {
			section.append(pkt(A + " " + B + " refs/heads/" + names.get(i) + ((i == 0) ? "\0report-status" : "")));
		}
		section.append("0000");
		ReceivePackRequest request = new ReceivePackCommandParser(100, 1 << 20).parse(stream(section.toString()));
		assertThat(request.commands()).extracting(ReceiveCommand::getRefName)
			.containsExactlyElementsOf(names.stream().map((n) -> "refs/heads/" + n).toList());
		assertThat(request.sectionLength()).isEqualTo(section.toString().getBytes(StandardCharsets.UTF_8).length);
	}

	@net.jqwik.api.Provide
	net.jqwik.api.Arbitrary<List<String>> refNames() {
		return net.jqwik.api.Arbitraries.strings()
			.withChars("abcxyz019-_/")
			.ofMinLength(1)
			.ofMaxLength(30)
			.filter((name) -> org.eclipse.jgit.lib.Repository.isValidRefName("refs/heads/" + name))
			.list()
			.ofMinSize(1)
			.ofMaxSize(20)
			.uniqueElements();
	}

}
