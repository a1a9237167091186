package io.gitwarden.audit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks the hash chain of audit files: {@code java -jar git-warden.jar audit verify FILE...}, oldest
 * file first (for a rotated log: {@code audit.jsonl.3 audit.jsonl.2 audit.jsonl.1 audit.jsonl}). Every
 * line must be a JSON object whose {@code prev} is the SHA-256 of the line before it, across file
 * boundaries. The first line of the first file may continue an older file that is no longer there (after
 * rotation dropped it): the report then names the hash it continues from, to compare with an archived
 * copy; a chain that starts at the genesis says so.
 *
 * <p>Runs before (and without) Spring: it reads files line by line with constant memory.
 */
public final class AuditVerifier {

	/**
	 * Longest line read: far above what the writer writes ({@link AuditEventLimits#MAX_LINE_BYTES}), so
	 * that files written by versions before the cap verify too.
	 */
	static final int MAX_LINE_BYTES = 16 * 1024 * 1024;

	private AuditVerifier() {
	}

	/**
	 * The outcome of a verification.
	 *
	 * @param ok whether the whole chain holds
	 * @param lines lines checked
	 * @param file the file of the first broken line, or {@code null}
	 * @param lineNumber its 1-based line number, or 0
	 * @param problem what is wrong with it, or {@code null}
	 * @param anchor the {@code prev} of the very first line ({@link AuditChain#GENESIS} for a full chain)
	 */
	public record Result(boolean ok, long lines, Path file, long lineNumber, String problem, String anchor,
			String lastTime, String lastRequestId) {

		public Result(boolean ok, long lines, Path file, long lineNumber, String problem, String anchor) {
			this(ok, lines, file, lineNumber, problem, anchor, null, null);
		}

		@Override
		public String toString() {
			if (!this.ok) {
				return "BROKEN " + this.file + ":" + this.lineNumber + ": " + this.problem;
			}
			String start = AuditChain.GENESIS.equals(this.anchor) ? "from genesis"
					: (this.anchor != null) ? "continuing from " + this.anchor : "empty";
			return "OK " + this.lines + " lines (" + start + ")";
		}

	}

	/**
	 * A file to verify and how much of it.
	 *
	 * @param file the file
	 * @param length the bytes to read from its start
	 */
	public record Segment(Path file, long length) {

	}

	/** Verifies the files as one chain, in the order given (oldest first). */
	public static Result verify(List<Path> files) throws IOException {
		List<Segment> segments = new ArrayList<>();
		for (Path file : files) {
			segments.add(new Segment(file, Long.MAX_VALUE));
		}
		return verifySegments(segments);
	}

	/**
	 * Verifies the starts of files as one chain, oldest first; the result names the time and request id of
	 * the last line that verified.
	 */
	public static Result verifySegments(List<Segment> segments) throws IOException {
		JsonMapper json = JsonMapper.builder().build();
		String expected = null;
		String anchor = null;
		String lastTime = null;
		String lastRequestId = null;
		long total = 0;
		for (Segment segment : segments) {
			Path file = segment.file();
			long number = 0;
			try (InputStream in = new BufferedInputStream(bounded(Files.newInputStream(file), segment.length()),
					64 * 1024)) {
				for (byte[] line = readLine(in); line != null; line = readLine(in)) {
					number++;
					total++;
					JsonNode node = object(json, line);
					String prev = text(node, AuditChain.PREV);
					if (prev == null) {
						return new Result(false, total, file, number, "not a JSON object with a 'prev' hash", anchor,
								lastTime, lastRequestId);
					}
					if (expected == null) {
						anchor = prev;
					}
					else if (!expected.equals(prev)) {
						return new Result(false, total, file, number,
								"'prev' does not match the previous line (a line was edited, removed or inserted before it)",
								anchor, lastTime, lastRequestId);
					}
					expected = AuditChain.sha256(line);
					lastTime = text(node, "time");
					lastRequestId = text(node, "requestId");
				}
			}
		}
		return new Result(true, total, null, 0, null, anchor, lastTime, lastRequestId);
	}

	private static InputStream bounded(InputStream in, long length) {
		if (length == Long.MAX_VALUE) {
			return in;
		}
		return new java.io.FilterInputStream(in) {

			private long left = length;

			@Override
			public int read() throws IOException {
				if (this.left <= 0) {
					return -1;
				}
				int b = super.read();
				if (b >= 0) {
					this.left--;
				}
				return b;
			}

			@Override
			public int read(byte[] buffer, int offset, int count) throws IOException {
				if (this.left <= 0) {
					return -1;
				}
				int n = super.read(buffer, offset, (int) Math.min(count, this.left));
				if (n > 0) {
					this.left -= n;
				}
				return n;
			}

		};
	}

	/**
	 * The command line: {@code audit verify FILE...}.
	 * @return the process exit code: 0 when the chain holds, 1 when it is broken, 2 on a usage or I/O error
	 */
	public static int run(List<String> files, PrintStream out, PrintStream err) {
		if (files.isEmpty()) {
			err.println("usage: java -jar git-warden.jar audit verify FILE... (oldest first)");
			return 2;
		}
		List<Path> paths = new ArrayList<>();
		for (String name : files) {
			paths.add(Path.of(name));
		}
		try {
			Result result = verify(paths);
			(result.ok() ? out : err).println(result);
			return result.ok() ? 0 : 1;
		}
		catch (IOException ex) {
			err.println("cannot read audit file: " + ex.getMessage());
			return 2;
		}
	}

	/** The line as a JSON object, or {@code null} when it is none. */
	private static JsonNode object(JsonMapper json, byte[] line) {
		try {
			JsonNode node = json.readTree(line);
			return (node != null && node.isObject()) ? node : null;
		}
		catch (JacksonException ex) {
			return null;
		}
	}

	private static String text(JsonNode node, String field) {
		JsonNode value = (node != null) ? node.get(field) : null;
		return (value != null && value.isString()) ? value.asString() : null;
	}

	/** The next line without its line feed, or {@code null} at the end; lines are kept whole (bounded). */
	private static byte[] readLine(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream(512);
		int b = in.read();
		if (b < 0) {
			return null;
		}
		while (b >= 0 && b != '\n') {
			if (line.size() >= MAX_LINE_BYTES) {
				throw new IOException("line longer than " + MAX_LINE_BYTES + " bytes");
			}
			line.write(b);
			b = in.read();
		}
		return line.toByteArray();
	}

}
