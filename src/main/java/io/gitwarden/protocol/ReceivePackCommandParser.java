package io.gitwarden.protocol;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.gitwarden.protocol.ProtocolException.Kind;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.ReceiveCommand;

/**
 * Reads the command section of a receive-pack request: optional {@code shallow} lines, the ref update
 * commands (capabilities after a NUL on the first), a flush, and the push options when negotiated. It
 * stops exactly before the pack. Every field is validated; this is a security boundary:
 * <ul>
 * <li>pkt-lines are read as raw bytes and decoded as strict UTF-8, so a ref name is compared in exactly
 * the form the upstream will store: a name that is not valid UTF-8 is refused (a Latin-1 spelling of an
 * allowed name would otherwise create another branch upstream);</li>
 * <li>capabilities are recognised by name as git's {@code parse_feature_request} does, so
 * {@code push-options=1} means {@code push-options} here exactly as it does to the upstream;</li>
 * <li>at most {@code maxCommands} commands and {@code maxSectionBytes} bytes are read.</li>
 * </ul>
 * Commands can be handed to a {@link Visitor} one at a time as they are read, so a caller can decide
 * before the section ends and without keeping them; {@link #parse} keeps them all.
 *
 * <p>Command line format (gitprotocol-pack(5)): {@code <old-oid> SP <new-oid> SP <ref-name>}, ids of 40
 * hex digits. git sends no trailing LF; one is tolerated.
 */
public final class ReceivePackCommandParser {

	private static final int OID_LENGTH = 40;

	/** Shortest possible command: two ids, two spaces, a one-character name. */
	private static final int MIN_COMMAND_LENGTH = 2 * OID_LENGTH + 3;

	/** Largest pkt-line payload git sends. */
	private static final int MAX_PAYLOAD = 65516;

	private static final String SHALLOW = "shallow ";

	private static final String PUSH_CERT = "push-cert";

	private static final String OBJECT_FORMAT = "object-format";

	private final int maxCommands;

	private final int maxSectionBytes;

	/**
	 * @param maxCommands most ref updates accepted in one push
	 * @param maxSectionBytes most bytes read before the pack (shallow lines, commands, push options)
	 */
	public ReceivePackCommandParser(int maxCommands, int maxSectionBytes) {
		if (maxCommands < 1 || maxSectionBytes < 4) {
			throw new IllegalArgumentException("limits must be positive");
		}
		this.maxCommands = maxCommands;
		this.maxSectionBytes = maxSectionBytes;
	}

	/** Told about the parts of a command section as they are read. */
	public interface Visitor {

		/** The capabilities of the first command, before the command itself. */
		default void capabilities(Set<String> capabilities) {
		}

		/** One command, in order. */
		void command(ReceiveCommand command);

	}

	/**
	 * Reads the command section from {@code in} and keeps it whole, leaving the stream at the pack.
	 * @throws ProtocolException when the section is malformed, too large, or uses an unsupported feature
	 * @throws IOException when reading the stream fails
	 */
	public ReceivePackRequest parse(InputStream in) throws ProtocolException, IOException {
		List<ReceiveCommand> commands = new ArrayList<>();
		Set<String> names = new HashSet<>();
		ReceivePackRequest request = scan(in, (command) -> {
			commands.add(command);
		});
		for (ReceiveCommand command : commands) {
			if (!names.add(command.getRefName())) {
				throw malformed("ref " + command.getRefName() + " is updated twice").withSideBand(request.sideBand());
			}
		}
		return new ReceivePackRequest(Collections.unmodifiableList(commands), request.capabilities(),
				request.pushOptions(), request.shallowCount(), request.sectionLength(), commands.size());
	}

	/**
	 * Reads the command section from {@code in}, handing each command to {@code visitor} and keeping
	 * none (the result's command list is empty); leaves the stream at the pack. Duplicate refs are only
	 * found by {@link #parse}.
	 */
	public ReceivePackRequest scan(InputStream in, Visitor visitor) throws ProtocolException, IOException {
		Section section = new Section(in);
		try {
			return section.read(visitor);
		}
		catch (ProtocolException ex) {
			throw ex.withSideBand(section.sideBand());
		}
	}

	/** State of one read, so a failure can still tell which side-band the client asked for. */
	private final class Section {

		private final InputStream in;

		private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
			.onMalformedInput(CodingErrorAction.REPORT)
			.onUnmappableCharacter(CodingErrorAction.REPORT);

		private final byte[] header = new byte[4];

		private Set<String> capabilities = Set.of();

		private int consumed;

		Section(InputStream in) {
			this.in = in;
		}

		SideBand sideBand() {
			return SideBand.requestedBy(this.capabilities);
		}

		ReceivePackRequest read(Visitor visitor) throws ProtocolException, IOException {
			int commands = 0;
			int shallowCount = 0;
			for (String line = readLine(); line != null; line = readLine()) {
				if (line.startsWith(SHALLOW) && commands == 0) {
					parseObjectId(line.substring(SHALLOW.length()), "shallow line");
					shallowCount++;
					continue;
				}
				if (line.startsWith(PUSH_CERT)) {
					throw new ProtocolException(Kind.UNSUPPORTED, "signed pushes (push certificates) are not supported");
				}
				if (commands == ReceivePackCommandParser.this.maxCommands) {
					throw new ProtocolException(Kind.TOO_LARGE,
							"push updates more than " + ReceivePackCommandParser.this.maxCommands + " refs");
				}
				if (commands == 0) {
					int nul = line.indexOf('\0');
					if (nul >= 0) {
						this.capabilities = parseCapabilities(line.substring(nul + 1));
						line = line.substring(0, nul);
					}
					visitor.capabilities(this.capabilities);
				}
				visitor.command(parseCommand(line));
				commands++;
			}
			if (commands == 0 && shallowCount > 0) {
				throw malformed("shallow lines without any command");
			}
			List<String> pushOptions = List.of();
			if (commands > 0 && hasCapability(this.capabilities, ReceivePackRequest.PUSH_OPTIONS)) {
				pushOptions = readPushOptions();
			}
			return new ReceivePackRequest(List.of(), this.capabilities, pushOptions, shallowCount, this.consumed,
					commands);
		}

		private List<String> readPushOptions() throws IOException, ProtocolException {
			List<String> options = new ArrayList<>();
			for (String line = readLine(); line != null; line = readLine()) {
				if (!isPrintable(line)) {
					throw malformed("invalid push option");
				}
				options.add(line);
			}
			return Collections.unmodifiableList(options);
		}

		/** The next packet's text without its trailing LF, or {@code null} at a flush. */
		private String readLine() throws IOException, ProtocolException {
			readFully(this.header, 4);
			int length = 0;
			for (byte b : this.header) {
				int digit = Character.digit(b, 16);
				if (digit < 0) {
					throw malformed("invalid pkt-line length header");
				}
				length = length * 16 + digit;
			}
			if (length == 0) {
				return null;
			}
			if (length == 1) {
				throw malformed("unexpected delimiter packet in the command section");
			}
			if (length < 4) {
				throw malformed("invalid pkt-line length header (reserved length " + length + ")");
			}
			if (length == 4) {
				throw malformed("empty packet in the command section");
			}
			if (length - 4 > MAX_PAYLOAD) {
				throw malformed("packet longer than git sends");
			}
			byte[] payload = new byte[length - 4];
			readFully(payload, payload.length);
			int end = payload.length;
			if (payload[end - 1] == '\n') {
				end--;
			}
			try {
				return this.utf8.decode(ByteBuffer.wrap(payload, 0, end)).toString();
			}
			catch (CharacterCodingException ex) {
				throw malformed("the command section is not valid UTF-8 (ref names must be UTF-8)");
			}
		}

		private void readFully(byte[] buffer, int length) throws IOException, ProtocolException {
			if (this.consumed + length > ReceivePackCommandParser.this.maxSectionBytes) {
				throw new ProtocolException(Kind.TOO_LARGE,
						"push command section exceeds " + ReceivePackCommandParser.this.maxSectionBytes + " bytes");
			}
			int offset = 0;
			while (offset < length) {
				int n;
				try {
					n = this.in.read(buffer, offset, length - offset);
				}
				catch (EOFException ex) {
					n = -1;
				}
				if (n < 0) {
					throw new ProtocolException(Kind.MALFORMED, "request body ended inside the command section");
				}
				offset += n;
			}
			this.consumed += length;
		}

	}

	/**
	 * Whether {@code capabilities} ask for {@code feature}, matching a bare name or {@code name=value} the
	 * way git's receive-pack does.
	 */
	public static boolean hasCapability(Set<String> capabilities, String feature) {
		for (String capability : capabilities) {
			if (capability.equals(feature) || capability.startsWith(feature + "=")) {
				return true;
			}
		}
		return false;
	}

	private static Set<String> parseCapabilities(String text) throws ProtocolException {
		Set<String> capabilities = new LinkedHashSet<>();
		for (String capability : text.split(" ")) {
			if (capability.isEmpty()) {
				continue;
			}
			if (!isPrintable(capability)) {
				throw malformed("capability list contains control characters");
			}
			if ((capability.equals(OBJECT_FORMAT) || capability.startsWith(OBJECT_FORMAT + "="))
					&& !capability.equals(OBJECT_FORMAT + "=sha1")) {
				throw new ProtocolException(Kind.UNSUPPORTED, "only SHA-1 repositories are supported");
			}
			capabilities.add(capability);
		}
		return Collections.unmodifiableSet(capabilities);
	}

	private static ReceiveCommand parseCommand(String line) throws ProtocolException {
		if (line.length() < MIN_COMMAND_LENGTH || line.charAt(OID_LENGTH) != ' '
				|| line.charAt(2 * OID_LENGTH + 1) != ' ') {
			throw malformed("command is not '<old-id> <new-id> <ref>'");
		}
		ObjectId oldId = parseObjectId(line.substring(0, OID_LENGTH), "old object id");
		ObjectId newId = parseObjectId(line.substring(OID_LENGTH + 1, 2 * OID_LENGTH + 1), "new object id");
		String name = line.substring(2 * OID_LENGTH + 2);
		if (!isPrintable(name) || !(Repository.isValidRefName(name) || name.equals("HEAD"))) {
			throw malformed("invalid ref name in command");
		}
		if (oldId.equals(ObjectId.zeroId()) && newId.equals(ObjectId.zeroId())) {
			throw malformed("command for " + name + " has two zero ids");
		}
		return new ReceiveCommand(oldId, newId, name);
	}

	private static ObjectId parseObjectId(String text, String what) throws ProtocolException {
		if (text.length() != OID_LENGTH || !ObjectId.isId(text)) {
			throw malformed(what + " is not 40 hex digits");
		}
		return ObjectId.fromString(text);
	}

	/** No control characters (C0, DEL, C1): names and options are echoed into reports, logs and audit. */
	private static boolean isPrintable(String text) {
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
				return false;
			}
		}
		return true;
	}

	private static ProtocolException malformed(String message) {
		return new ProtocolException(Kind.MALFORMED, message);
	}

}
