package io.gitwarden.audit;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The hash chain of the audit log. Each line carries {@code "prev"}: the hex SHA-256 of the bytes of the
 * previous line (its JSON text, without the line feed). The first line ever written carries
 * {@link #GENESIS}. Editing, inserting or deleting a line changes a hash that the next line names, so
 * the change shows; only the last line can be removed unnoticed unless its hash is kept elsewhere (the
 * {@code audit} logger ships every line as it is written).
 */
final class AuditChain {

	/** {@code prev} of the first line of a chain: 64 zeros. */
	static final String GENESIS = "0".repeat(64);

	/** Name of the chaining field. */
	static final String PREV = "prev";

	private AuditChain() {
	}

	static String sha256(byte[] line, int offset, int length) {
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			digest.update(line, offset, length);
			return HexFormat.of().formatHex(digest.digest());
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	static String sha256(byte[] line) {
		return sha256(line, 0, line.length);
	}

}
