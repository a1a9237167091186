package io.gitwarden.inspect;

import java.util.List;
import java.util.regex.Pattern;

/**
 * {@link ContentPolicyProperties} compiled once: globs, the secret scanner, the email expression.
 */
record CompiledPolicy(List<PathGlob> protectedPaths, boolean secretsEnabled, SecretScanner scanner,
		List<PathGlob> secretAllowPaths, long maxFileSize, boolean denyForcePush, Pattern commitEmail) {

	static CompiledPolicy of(ContentPolicyProperties properties) {
		ContentPolicyProperties.Secrets secrets = properties.secrets();
		return new CompiledPolicy(PathGlob.compileAll(properties.protectedPaths()), secrets.enabled(),
				SecretScanner.withCustomPatterns(secrets.patterns()), PathGlob.compileAll(secrets.allowPaths()),
				properties.maxFileSize().toBytes(), properties.forcePush() == ContentPolicyProperties.ForcePush.DENY,
				(properties.commitEmail() != null) ? Pattern.compile(properties.commitEmail()) : null);
	}

	/** The first protected glob matching {@code path}, or null. */
	PathGlob protectedGlob(String path) {
		for (PathGlob glob : this.protectedPaths) {
			if (glob.matches(path)) {
				return glob;
			}
		}
		return null;
	}

	/** The first protected glob that could match below {@code path}, or null. */
	PathGlob protectedGlobBelow(String path) {
		for (PathGlob glob : this.protectedPaths) {
			if (glob.matchesBelow(path)) {
				return glob;
			}
		}
		return null;
	}

	/** Whether the content at {@code path} is exempt from secret scanning. */
	boolean secretExempt(String path) {
		if (path == null) {
			return false;
		}
		for (PathGlob glob : this.secretAllowPaths) {
			if (glob.matches(path)) {
				return true;
			}
		}
		return false;
	}

}
