package io.gitwarden.inspect;

import java.util.Locale;

import org.eclipse.jgit.lib.AnyObjectId;
import org.eclipse.jgit.lib.ObjectId;

/**
 * One reason to refuse a push. Never holds a secret: a {@link ContentRule#SECRET_DETECTED} finding has
 * the detector's name and at most the first 4 characters of what it found. {@link #describe()} renders
 * it as one git console line.
 *
 * @param rule the rule, whose {@link ContentRule#code() code} is the refusal code
 * @param ref the ref concerned ({@link ContentRule#NON_FAST_FORWARD}), else {@code null}
 * @param commit the commit that introduced the problem, {@code null} when none applies
 * @param path the path concerned, {@code null} when none applies
 * @param line 1-based line of a secret, 0 when none applies
 * @param name what matched: the secret detector ({@code github-pat}), the protected glob, the size
 * limit, or which identity ({@code author} or {@code committer}); may be {@code null}
 * @param detail a short rule-specific detail: the first characters of a secret, the kind of change of a
 * protected path ({@code added}, {@code modified}, ...), the blob size, the overwritten commit, the email
 * address, or the description of unreferenced objects
 */
public record Finding(ContentRule rule, String ref, ObjectId commit, String path, long line, String name,
		String detail) {

	/** Longest path or email shown in a message. */
	static final int MAX_SHOWN = 160;

	/**
	 * One line for the git console, for example
	 * {@code secret-detected: github-pat in src/app.py:12 (commit 1a2b3c4, starts 'ghp_')}.
	 */
	public String describe() {
		String text = switch (this.rule) {
			case SECRET_DETECTED -> this.name + " in " + location() + " (" + commitText()
					+ (isBlank(this.detail) ? "" : ", starts '" + this.detail + "'") + ")";
			case PROTECTED_PATH -> shown(this.path) + " " + this.detail + " (" + commitText() + ", protected: '"
					+ this.name + "')";
			case FILE_TOO_LARGE -> ((this.path != null) ? shown(this.path) : "an object in the pack") + " is "
					+ ((this.detail != null) ? this.detail + ", " : "") + "over the " + this.name + " limit"
					+ ((this.commit != null) ? " (" + commitText() + ")" : "");
			case NON_FAST_FORWARD -> shown(this.ref) + " " + this.detail + " -> " + shortId(this.commit)
					+ " is not a fast-forward";
			case UNREFERENCED_OBJECTS -> this.detail;
			case COMMIT_EMAIL -> this.name + " email '" + shown(this.detail) + "' of " + commitText()
					+ " does not match the allowed pattern";
		};
		return this.rule.code() + ": " + text;
	}

	@Override
	public String toString() {
		return describe();
	}

	private String location() {
		String where = (this.path != null) ? shown(this.path) : "a blob";
		return (this.line > 0) ? where + ":" + this.line : where;
	}

	private String commitText() {
		return (this.commit != null) ? "commit " + shortId(this.commit) : "no commit";
	}

	static String shortId(AnyObjectId id) {
		return (id != null) ? id.abbreviate(7).name() : "0000000";
	}

	private static boolean isBlank(String text) {
		return text == null || text.isEmpty();
	}

	/** Control characters replaced, long text shortened in the middle. */
	static String shown(String text) {
		if (text == null) {
			return "";
		}
		StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX_SHOWN + 3));
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			sb.append((c < 0x20 || c == 0x7f) ? '?' : c);
		}
		if (sb.length() > MAX_SHOWN) {
			int keep = MAX_SHOWN / 2;
			return sb.substring(0, keep) + "..." + sb.substring(sb.length() - keep);
		}
		return sb.toString();
	}

	/** {@code 512 bytes}, {@code 1.5 KiB}, {@code 150.0 MiB}, {@code 2.0 GiB}. */
	static String size(long bytes) {
		if (bytes < 1024) {
			return bytes + " bytes";
		}
		String[] units = { "KiB", "MiB", "GiB", "TiB" };
		double value = bytes;
		int unit = -1;
		while (value >= 1024 && unit < units.length - 1) {
			value /= 1024;
			unit++;
		}
		return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
	}

}
