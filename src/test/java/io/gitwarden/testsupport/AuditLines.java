package io.gitwarden.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The complete lines of an audit file that a running git-warden may be appending to: a reader can catch
 * the last line half written, so whatever follows the last newline is left for the next read.
 */
public final class AuditLines {

	private AuditLines() {
	}

	/** The file's complete lines, oldest first; none when it does not exist yet. */
	public static List<String> read(Path file) throws IOException {
		if (!Files.exists(file)) {
			return List.of();
		}
		String text = Files.readString(file, StandardCharsets.UTF_8);
		return text.substring(0, text.lastIndexOf('\n') + 1).lines().toList();
	}

}
