package io.gitwarden.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * What signs in to the console: the admin token ({@code warden.admin.token}), or, in demo mode without one, a
 * random token made at start-up and printed with the demo banner. Compared in constant time; never logged.
 */
final class ConsoleCredentials {

	private final byte[] token;

	private final boolean generated;

	private ConsoleCredentials(String token, boolean generated) {
		this.token = token.getBytes(StandardCharsets.UTF_8);
		this.generated = generated;
	}

	static ConsoleCredentials adminToken(String token) {
		return new ConsoleCredentials(token, false);
	}

	static ConsoleCredentials random() {
		byte[] bytes = new byte[24];
		new SecureRandom().nextBytes(bytes);
		return new ConsoleCredentials("console-" + HexFormat.of().formatHex(bytes), true);
	}

	boolean matches(String presented) {
		return presented != null && MessageDigest.isEqual(this.token, presented.getBytes(StandardCharsets.UTF_8));
	}

	/** True for a demo token made at start-up (it is printed once, to standard output). */
	boolean isGenerated() {
		return this.generated;
	}

	/** The demo token, for the banner only. */
	String demoToken() {
		if (!this.generated) {
			throw new IllegalStateException("the admin token is never shown");
		}
		return new String(this.token, StandardCharsets.UTF_8);
	}

	@Override
	public String toString() {
		return "ConsoleCredentials[generated=" + this.generated + "]";
	}

}
