package io.gitwarden.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version and commit git-warden was built from: {@code META-INF/build-info.properties} (Spring Boot's
 * {@code build-info} goal) and {@code git.properties} (absent when the build had no {@code .git}), the
 * same files {@code /actuator/info} shows.
 */
final class Version {

	private Version() {
	}

	/** {@code git-warden 0.1.0 (commit 1a2b3c4)}, or without the commit when it is unknown. */
	static String current() {
		Properties build = load("META-INF/build-info.properties");
		Properties git = load("git.properties");
		String version = build.getProperty("build.version", Version.class.getPackage().getImplementationVersion());
		String commit = git.getProperty("git.commit.id.abbrev");
		return "git-warden " + ((version != null) ? version : "(unknown version)")
				+ ((commit != null) ? " (commit " + commit + ")" : "");
	}

	private static Properties load(String resource) {
		Properties properties = new Properties();
		try (InputStream in = Version.class.getClassLoader().getResourceAsStream(resource)) {
			if (in != null) {
				properties.load(in);
			}
		}
		catch (IOException ex) {
			// unknown, as if absent
		}
		return properties;
	}

}
