package io.gitwarden.protocol;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.gitwarden.protocol.ProtocolException.Kind;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.PacketLineIn;
import org.eclipse.jgit.transport.ReceiveCommand;

/**
 * Reads the command section of a receive-pack request: optional {@code shallow} lines, the ref update
 * commands (capabilities after a NUL on the first), a flush, and the push options when negotiated.
 * It stops exactly before the pack, so the caller can decide and then forward the captured bytes
 * followed by the rest of the stream. Every field is validated; this is a security boundary.
 *
 * <p>Command line format (gitprotocol-pack(5)): {@code <old-oid> SP <new-oid> SP <ref-name>}, ids of
 * 40 hex digits. git sends no trailing LF; one is tolerated.
 */
public final class ReceivePackCommandParser {

	private static final int OID_LENGTH = 40;

	/** Shortest possible command: two ids, two spaces, a one-character name. */
	private static final int MIN_COMMAND_LENGTH = 2 * OID_LENGTH + 3;

	private static final String SHALLOW = "shallow ";

	private static final String PUSH_CERT = "push-cert";

	private static final String OBJECT_FORMAT = "object-format=";

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

	/**
	 * Reads the command section from {@code in}, leaving the stream positioned at the pack.
	 * @throws ProtocolException when the section is malformed, too large, or uses an unsupported feature
	 * @throws IOException when reading the stream fails
	 */
	public ReceivePackRequest parse(InputStream in) throws ProtocolException, IOException {
		CapturingInputStream capture = new CapturingInputStream(in, this.maxSectionBytes);
		PacketLineIn lines = new PacketLineIn(capture);
		Section section = new Section();
		try {
			return section.read(lines, capture);
		}
		catch (ProtocolException ex) {
			throw ex.withSideBand(section.sideBand());
		}
		catch (CapturingInputStream.CommandSectionTooLargeException ex) {
			throw new ProtocolException(Kind.TOO_LARGE,
					"push command section exceeds " + this.maxSectionBytes + " bytes")
				.withSideBand(section.sideBand());
		}
		catch (EOFException ex) {
			throw new ProtocolException(Kind.MALFORMED, "request body ended inside the command section", ex);
		}
		catch (IOException ex) {
			if (capture.sourceFailed()) {
				throw ex;
			}
			// JGit's reader refused the bytes themselves (a bad length header).
			throw new ProtocolException(Kind.MALFORMED, "invalid pkt-line length header", ex);
		}
	}

	/** State of one parse, so a failure can still tell which side-band the client asked for. */
	private final class Section {

		private Set<String> capabilities = Set.of();

		SideBand sideBand() {
			return SideBand.requestedBy(this.capabilities);
		}

		private ReceivePackRequest read(PacketLineIn lines, CapturingInputStream capture)
				throws ProtocolException, IOException {
			List<ReceiveCommand> commands = new ArrayList<>();
			Set<String> refNames = new HashSet<>();
			int shallowCount = 0;
			for (String line = readLine(lines); !PacketLineIn.isEnd(line); line = readLine(lines)) {
				if (PacketLineIn.isDelimiter(line)) {
					throw malformed("unexpected delimiter packet in the command section");
				}
				if (line.startsWith(SHALLOW) && commands.isEmpty()) {
					parseObjectId(line.substring(SHALLOW.length()), "shallow line");
					shallowCount++;
					continue;
				}
				if (line.startsWith(PUSH_CERT)) {
					throw new ProtocolException(Kind.UNSUPPORTED, "signed pushes (push certificates) are not supported");
				}
				if (commands.size() == ReceivePackCommandParser.this.maxCommands) {
					throw new ProtocolException(Kind.TOO_LARGE,
							"push updates more than " + ReceivePackCommandParser.this.maxCommands + " refs");
				}
				if (commands.isEmpty()) {
					int nul = line.indexOf('\0');
					if (nul >= 0) {
						this.capabilities = parseCapabilities(line.substring(nul + 1));
						line = line.substring(0, nul);
					}
				}
				ReceiveCommand command = parseCommand(line);
				if (!refNames.add(command.getRefName())) {
					throw malformed("ref " + command.getRefName() + " is updated twice");
				}
				commands.add(command);
			}
			if (commands.isEmpty() && shallowCount > 0) {
				throw malformed("shallow lines without any command");
			}
			List<String> pushOptions = List.of();
			if (!commands.isEmpty() && this.capabilities.contains(ReceivePackRequest.PUSH_OPTIONS)) {
				pushOptions = readPushOptions(lines);
			}
			return new ReceivePackRequest(Collections.unmodifiableList(commands), this.capabilities, pushOptions,
					shallowCount, capture.captured());
		}

	}

	private static String readLine(PacketLineIn lines) throws IOException, ProtocolException {
		String line = lines.readString();
		if (!PacketLineIn.isEnd(line) && !PacketLineIn.isDelimiter(line) && line.isEmpty()) {
			throw malformed("empty packet in the command section");
		}
		return line;
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
			if (capability.startsWith(OBJECT_FORMAT) && !capability.equals(OBJECT_FORMAT + "sha1")) {
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

	private List<String> readPushOptions(PacketLineIn lines) throws IOException, ProtocolException {
		List<String> options = new ArrayList<>();
		for (String line = readLine(lines); !PacketLineIn.isEnd(line); line = readLine(lines)) {
			if (PacketLineIn.isDelimiter(line) || !isPrintable(line)) {
				throw malformed("invalid push option");
			}
			options.add(line);
		}
		return Collections.unmodifiableList(options);
	}

	/** No control characters: names and options are echoed into reports, logs and audit lines. */
	private static boolean isPrintable(String text) {
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c < 0x20 || c == 0x7f) {
				return false;
			}
		}
		return true;
	}

	private static ProtocolException malformed(String message) {
		return new ProtocolException(Kind.MALFORMED, message);
	}

}
