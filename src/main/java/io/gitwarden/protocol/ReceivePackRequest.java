package io.gitwarden.protocol;

import java.util.List;
import java.util.Set;

import org.eclipse.jgit.transport.ReceiveCommand;

/**
 * The command section of a receive-pack request, as read by {@link ReceivePackCommandParser}.
 *
 * @param commands the ref updates, in request order (empty for git's 4-byte probe, and when the
 * section was only scanned)
 * @param capabilities the capabilities the client asked for on its first command
 * @param pushOptions push options, when the client negotiated {@code push-options}
 * @param shallowCount number of {@code shallow} lines before the commands
 * @param sectionLength bytes of the section, from the start of the body to the pack
 * @param commandCount number of commands read
 */
public record ReceivePackRequest(List<ReceiveCommand> commands, Set<String> capabilities, List<String> pushOptions,
		int shallowCount, int sectionLength, int commandCount) {

	/** Capability asking for the report inside side-band channel 1. */
	public static final String SIDE_BAND_64K = "side-band-64k";

	/** Older, smaller side-band. */
	public static final String SIDE_BAND = "side-band";

	/** Capability asking for per-ref results. */
	public static final String REPORT_STATUS = "report-status";

	/** Newer per-ref results; same {@code ok}/{@code ng} lines for what git-warden writes. */
	public static final String REPORT_STATUS_V2 = "report-status-v2";

	/** Capability announcing a push-option section after the commands. */
	public static final String PUSH_OPTIONS = "push-options";

	/** Capability asking for all-or-nothing ref updates. */
	public static final String ATOMIC = "atomic";

	/** True for git's probe request ({@code 0000}), sent before a large chunked push. */
	public boolean isProbe() {
		return this.commandCount == 0;
	}

	/** The side-band flavour the client asked for: 64k, small, or none. */
	public SideBand sideBand() {
		return SideBand.requestedBy(this.capabilities);
	}

	/** True when the client wants {@code ok}/{@code ng} lines. */
	public boolean wantsReport() {
		return ReceivePackCommandParser.hasCapability(this.capabilities, REPORT_STATUS)
				|| ReceivePackCommandParser.hasCapability(this.capabilities, REPORT_STATUS_V2);
	}

}
