package io.gitwarden.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;

import org.eclipse.jgit.transport.PacketLineOut;

/** Request bodies of git's protocol v2, as git writes them. */
public final class ProtocolV2 {

	private ProtocolV2() {
	}

	/** {@code command=<command>}, {@code object-format=sha1}, a delimiter, one line per argument, a flush. */
	public static byte[] request(String command, List<String> arguments) throws IOException {
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		PacketLineOut out = new PacketLineOut(body);
		out.writeString("command=" + command + "\n");
		out.writeString("object-format=sha1\n");
		out.writeDelim();
		for (String argument : arguments) {
			out.writeString(argument + "\n");
		}
		out.end();
		return body.toByteArray();
	}

}
