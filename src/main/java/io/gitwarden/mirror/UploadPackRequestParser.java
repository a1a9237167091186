package io.gitwarden.mirror;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.transport.PacketLineIn;

/**
 * Reads the wants of an upload-pack request body ({@code POST git-upload-pack}), already decoded (see
 * {@link SpooledRequestBody#openDecoded()}), so the caller can check that a mirror has every want before
 * serving it. The version is told by the body itself: protocol v2 requests start with
 * {@code command=}.
 * <ul>
 * <li>v0/v1: {@code want <id>[ <capabilities>]}, {@code shallow}, {@code deepen*} and {@code filter}
 * lines up to the first flush; the {@code have} lines after it are not read.</li>
 * <li>v2: {@code command=<name>}, capability lines, a delimiter, then the arguments up to the flush:
 * {@code want}, {@code want-ref}, {@code shallow}, {@code deepen*} and {@code filter} for {@code fetch},
 * {@code ref-prefix} for {@code ls-refs}; {@code have} lines and other arguments are skipped.</li>
 * </ul>
 * Memory is bounded by the limits: the wants kept, and the pkt-line reader's 64 KiB line.
 */
public final class UploadPackRequestParser {

	private static final String WANT = "want ";

	private static final String WANT_REF = "want-ref ";

	private static final String SHALLOW = "shallow ";

	private static final String DEEPEN = "deepen";

	private static final String FILTER = "filter ";

	private static final String REF_PREFIX = "ref-prefix ";

	private static final String COMMAND = "command=";

	/**
	 * The other v2 {@code fetch} arguments JGit's upload-pack accepts (as the mirror configures it); it
	 * refuses any other, so such a request is left to the upstream.
	 */
	private static final Set<String> JGIT_FETCH_ARGUMENTS = Set.of("have", "done", "wait-for-done", "thin-pack",
			"no-progress", "include-tag", "ofs-delta", "sideband-all", "packfile-uris");

	private static final int ID_LENGTH = 40;

	private final int maxWants;

	/**
	 * @param maxWants most {@code want}, {@code want-ref} and {@code ref-prefix} lines accepted (each)
	 */
	public UploadPackRequestParser(int maxWants) {
		if (maxWants < 1) {
			throw new IllegalArgumentException("maxWants must be positive");
		}
		this.maxWants = maxWants;
	}

	/** True when a {@code Git-Protocol} header value asks for protocol v2. */
	public static boolean isProtocolV2(String gitProtocol) {
		return gitProtocol != null && parameters(gitProtocol).contains("version=2");
	}

	/** The parameters of a {@code Git-Protocol} header value (colon separated), as JGit takes them. */
	static List<String> parameters(String gitProtocol) {
		List<String> parameters = new ArrayList<>();
		if (gitProtocol != null) {
			for (String parameter : gitProtocol.split(":")) {
				if (!parameter.isBlank()) {
					parameters.add(parameter.trim());
				}
			}
		}
		return parameters;
	}

	/**
	 * Reads the request from {@code decodedBody} (which is not closed).
	 * @throws InvalidRequestException when the body is not an upload-pack request or exceeds a limit
	 * @throws IOException when reading fails (including the decoded-size bound of a spooled body)
	 */
	public UploadPackRequest parse(InputStream decodedBody) throws IOException {
		Source source = new Source(decodedBody);
		try {
			return read(new PacketLineIn(source));
		}
		catch (InvalidRequestException ex) {
			throw ex;
		}
		catch (EOFException ex) {
			throw new InvalidRequestException("the request ended early");
		}
		catch (IOException ex) {
			if (source.failed) {
				throw ex;
			}
			// JGit's pkt-line reader found bytes that are not pkt-lines
			throw new InvalidRequestException("malformed pkt-line: " + ex.getMessage());
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidRequestException("malformed pkt-line: " + ex.getMessage());
		}
	}

	private UploadPackRequest read(PacketLineIn lines) throws IOException {
		Builder request = new Builder(this.maxWants);
		String first;
		try {
			first = lines.readString();
		}
		catch (EOFException ex) {
			return request.build(false, UploadPackRequest.FETCH);
		}
		if (!PacketLineIn.isEnd(first) && !PacketLineIn.isDelimiter(first) && first.startsWith(COMMAND)) {
			return parseV2(first.substring(COMMAND.length()), lines, request);
		}
		for (String line = first; !PacketLineIn.isEnd(line); line = lines.readString()) {
			if (PacketLineIn.isDelimiter(line)) {
				throw new InvalidRequestException("unexpected delimiter in a v0/v1 request");
			}
			if (line.startsWith(WANT)) {
				request.want(line);
			}
			else if (!request.fetchArgument(line)) {
				throw new InvalidRequestException("unexpected line in the want section");
			}
		}
		return request.build(false, UploadPackRequest.FETCH);
	}

	private static UploadPackRequest parseV2(String command, PacketLineIn lines, Builder request) throws IOException {
		if (command.isEmpty()) {
			throw new InvalidRequestException("empty command");
		}
		String line = lines.readString();
		while (!PacketLineIn.isDelimiter(line) && !PacketLineIn.isEnd(line)) {
			line = lines.readString();
		}
		if (PacketLineIn.isDelimiter(line)) {
			for (line = lines.readString(); !PacketLineIn.isEnd(line); line = lines.readString()) {
				if (PacketLineIn.isDelimiter(line)) {
					throw new InvalidRequestException("unexpected delimiter in the arguments");
				}
				if (UploadPackRequest.FETCH.equals(command)) {
					if (line.startsWith(WANT)) {
						request.want(line);
					}
					else if (line.startsWith(WANT_REF)) {
						request.wantRef(line.substring(WANT_REF.length()));
					}
					else if (!request.fetchArgument(line) && !JGIT_FETCH_ARGUMENTS.contains(keyword(line))) {
						request.unsupported(line);
					}
				}
				else if (UploadPackRequest.LS_REFS.equals(command) && line.startsWith(REF_PREFIX)) {
					request.refPrefix(line.substring(REF_PREFIX.length()));
				}
			}
		}
		return request.build(true, command);
	}

	private static String keyword(String line) {
		int space = line.indexOf(' ');
		return (space < 0) ? line : line.substring(0, space);
	}

	/** Collects one request's fields, within the limits. */
	private static final class Builder {

		private final int max;

		private final Set<ObjectId> wants = new HashSet<>();

		private final List<String> wantRefs = new ArrayList<>();

		private final List<String> refPrefixes = new ArrayList<>();

		private boolean shallow;

		private String filter;

		private final List<String> unsupported = new ArrayList<>();

		Builder(int max) {
			this.max = max;
		}

		void want(String line) throws InvalidRequestException {
			if (line.length() < WANT.length() + ID_LENGTH
					|| (line.length() > WANT.length() + ID_LENGTH && line.charAt(WANT.length() + ID_LENGTH) != ' ')) {
				throw new InvalidRequestException("malformed want line");
			}
			String id = line.substring(WANT.length(), WANT.length() + ID_LENGTH);
			if (!ObjectId.isId(id)) {
				throw new InvalidRequestException("malformed object id in a want line");
			}
			if (this.wants.size() >= this.max) {
				throw new InvalidRequestException("more than " + this.max + " wants");
			}
			this.wants.add(ObjectId.fromString(id));
		}

		void wantRef(String name) throws InvalidRequestException {
			if (this.wantRefs.size() >= this.max) {
				throw new InvalidRequestException("more than " + this.max + " want-ref lines");
			}
			this.wantRefs.add(name);
		}

		void refPrefix(String prefix) throws InvalidRequestException {
			if (this.refPrefixes.size() >= this.max) {
				throw new InvalidRequestException("more than " + this.max + " ref-prefix lines");
			}
			this.refPrefixes.add(prefix);
		}

		void unsupported(String line) throws InvalidRequestException {
			if (this.unsupported.size() >= this.max) {
				throw new InvalidRequestException("more than " + this.max + " unknown arguments");
			}
			this.unsupported.add((line.length() > 64) ? line.substring(0, 64) : line);
		}

		/** Shallow, deepen and filter lines; true when {@code line} was one of them. */
		boolean fetchArgument(String line) {
			if (line.startsWith(SHALLOW) || line.startsWith(DEEPEN)) {
				this.shallow = true;
				return true;
			}
			if (line.startsWith(FILTER)) {
				this.filter = line.substring(FILTER.length());
				return true;
			}
			return false;
		}

		UploadPackRequest build(boolean v2, String command) {
			return new UploadPackRequest(v2, command, this.wants, this.wantRefs, this.refPrefixes, this.shallow,
					this.filter, this.unsupported);
		}

	}

	/** Remembers whether an I/O error came from the stream itself rather than from the parsing. */
	private static final class Source extends FilterInputStream {

		boolean failed;

		Source(InputStream in) {
			super(in);
		}

		@Override
		public int read() throws IOException {
			try {
				return super.read();
			}
			catch (IOException ex) {
				this.failed = true;
				throw ex;
			}
		}

		@Override
		public int read(byte[] buffer, int offset, int length) throws IOException {
			try {
				return super.read(buffer, offset, length);
			}
			catch (IOException ex) {
				this.failed = true;
				throw ex;
			}
		}

	}

	/** The body is not a valid upload-pack request, or asks for more than the limits allow. */
	public static final class InvalidRequestException extends IOException {

		private static final long serialVersionUID = 1L;

		public InvalidRequestException(String message) {
			super(message);
		}

	}

}
