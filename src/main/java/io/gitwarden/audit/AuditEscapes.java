package io.gitwarden.audit;

import tools.jackson.core.SerializableString;
import tools.jackson.core.io.CharacterEscapes;
import tools.jackson.core.io.SerializedString;

/**
 * What the audit writer escapes beyond JSON's own rules: C1 control characters (U+0080 to U+009F, which
 * is what header bytes 0x80-0x9F become once Tomcat decodes them as ISO-8859-1), the Unicode line and
 * paragraph separators, bidirectional overrides and isolates, and the byte-order mark. Written as
 * {@code \\uXXXX}, they reach the line intact but cannot act on a terminal, a log viewer or a JavaScript
 * reader of the file. Everything else is written as UTF-8.
 */
final class AuditEscapes extends CharacterEscapes {

	private static final long serialVersionUID = 1L;

	private final int[] ascii = standardAsciiEscapesForJSON();

	@Override
	public int[] getEscapeCodesForAscii() {
		return this.ascii;
	}

	@Override
	public SerializableString getEscapeSequence(int ch) {
		if ((ch >= 0x80 && ch <= 0x9f) || ch == 0x2028 || ch == 0x2029 || (ch >= 0x202a && ch <= 0x202e)
				|| (ch >= 0x2066 && ch <= 0x2069) || ch == 0xfeff) {
			return new SerializedString(String.format("\\u%04x", ch));
		}
		return null;
	}

}
