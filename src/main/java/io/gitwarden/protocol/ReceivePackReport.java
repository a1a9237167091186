package io.gitwarden.protocol;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.jgit.transport.PacketLineOut;
import org.eclipse.jgit.transport.SideBandOutputStream;

/**
 * A report-status reply written by git-warden itself, for pushes it refuses: {@code unpack ok}, then an
 * {@code ok} or {@code ng} line per command, framed in side-band channel 1 when the client asked for it
 * (otherwise git prints "protocol error: bad band"). Messages for the console go to channel 2 and are
 * printed by git as {@code remote: ...}. git needs a line for every command it sent, or it prints
 * "[remote failure]".
 */
public final class ReceivePackReport {

	private final SideBand sideBand;

	private final List<String> messages = new ArrayList<>();

	private final List<String> statusLines = new ArrayList<>();

	public ReceivePackReport(SideBand sideBand) {
		this.sideBand = sideBand;
	}

	/** A console line (channel 2); dropped when the client has no side-band. */
	public ReceivePackReport message(String line) {
		this.messages.add(oneLine(line));
		return this;
	}

	/** The command for {@code refName} was refused with {@code reason}. */
	public ReceivePackReport rejected(String refName, String reason) {
		this.statusLines.add("ng " + refName + " " + oneLine(reason));
		return this;
	}

	/** Writes the whole reply: {@code unpack ok}, the status lines, flush (and the side-band flush). */
	public void writeTo(OutputStream out) throws IOException {
		ByteArrayOutputStream report = new ByteArrayOutputStream();
		PacketLineOut reportLines = new PacketLineOut(report);
		reportLines.writeString("unpack ok\n");
		for (String line : this.statusLines) {
			reportLines.writeString(line + "\n");
		}
		reportLines.end();
		if (this.sideBand == SideBand.NONE) {
			report.writeTo(out);
			out.flush();
			return;
		}
		if (!this.messages.isEmpty()) {
			SideBandOutputStream progress = new SideBandOutputStream(SideBandOutputStream.CH_PROGRESS,
					this.sideBand.packetSize(), out);
			for (String message : this.messages) {
				progress.write((message + "\n").getBytes(StandardCharsets.UTF_8));
			}
			progress.flush();
		}
		SideBandOutputStream data = new SideBandOutputStream(SideBandOutputStream.CH_DATA, this.sideBand.packetSize(),
				out);
		report.writeTo(data);
		data.flush();
		new PacketLineOut(out).end();
	}

	/**
	 * Writes a whole-request failure in git's own format, for a push that cannot get per-ref lines (for
	 * example more commands than git-warden reads): channel 3 with side-band, git prints
	 * {@code remote: <message>}; otherwise an {@code ERR} packet, git prints {@code remote error: <message>}.
	 */
	public static void writeFatal(SideBand sideBand, String message, OutputStream out) throws IOException {
		if (sideBand == SideBand.NONE) {
			new PacketLineOut(out).writeString("ERR " + oneLine(message) + "\n");
		}
		else {
			SideBandOutputStream error = new SideBandOutputStream(SideBandOutputStream.CH_ERROR,
					sideBand.packetSize(), out);
			error.write((oneLine(message) + "\n").getBytes(StandardCharsets.UTF_8));
			error.flush();
			new PacketLineOut(out).end();
		}
		out.flush();
	}

	private static String oneLine(String text) {
		return text.replace('\n', ' ').replace('\r', ' ');
	}

}
