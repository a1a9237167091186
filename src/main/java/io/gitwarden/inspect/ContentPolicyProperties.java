package io.gitwarden.inspect;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The content rules of a push ({@code warden.policy.*}, next to the ref rules of
 * {@code io.gitwarden.policy.PolicyProperties} at the same prefix). Every value is checked when bound, so
 * a bad glob or expression stops startup naming the property. See {@code docs/policy.md}.
 *
 * @param protectedPaths globs ({@link PathGlob}) of paths that no pushed commit may add, change, delete,
 * rename or change the mode of (default {@code .github/workflows/**}); empty to protect nothing
 * @param secrets secret scanning
 * @param maxFileSize largest blob a push may add (default 100MB)
 * @param forcePush whether a push may rewrite its branch (a non-fast-forward update; default allow)
 * @param commitEmail a regular expression that every author and committer email of a pushed commit must
 * match entirely; unset accepts any
 */
@ConfigurationProperties("warden.policy")
public record ContentPolicyProperties(@DefaultValue(".github/workflows/**") List<String> protectedPaths,
		@DefaultValue Secrets secrets, @DefaultValue("100MB") DataSize maxFileSize,
		@DefaultValue("allow") ForcePush forcePush, String commitEmail) {

	public ContentPolicyProperties {
		protectedPaths = (protectedPaths != null) ? List.copyOf(protectedPaths) : List.of();
		try {
			PathGlob.compileAll(protectedPaths);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("warden.policy.protected-paths: " + ex.getMessage());
		}
		secrets = (secrets != null) ? secrets : new Secrets(true, Map.of(), List.of());
		if (maxFileSize == null) {
			maxFileSize = DataSize.ofMegabytes(100);
		}
		if (maxFileSize.toBytes() <= 0) {
			throw new IllegalArgumentException("warden.policy.max-file-size must be positive");
		}
		forcePush = (forcePush != null) ? forcePush : ForcePush.ALLOW;
		if (commitEmail != null && commitEmail.isBlank()) {
			commitEmail = null;
		}
		if (commitEmail != null) {
			try {
				Pattern.compile(commitEmail);
			}
			catch (PatternSyntaxException ex) {
				throw new IllegalArgumentException(
						"warden.policy.commit-email is not a valid regular expression: " + ex.getDescription());
			}
		}
	}

	/** The defaults, as when nothing is configured. */
	public static ContentPolicyProperties defaults() {
		return new ContentPolicyProperties(List.of(".github/workflows/**"), null, null, null, null);
	}

	/**
	 * Secret scanning ({@code warden.policy.secrets.*}).
	 *
	 * @param enabled whether added content is scanned for secrets (default true)
	 * @param patterns more detectors: rule name (lower case, digits, {@code .-_}) to regular expression;
	 * the secret is the expression's first group if it has one, else the whole match
	 * @param allowPaths globs of paths whose content is not scanned (test fixtures, for example)
	 */
	public record Secrets(@DefaultValue("true") boolean enabled, Map<String, String> patterns,
			List<String> allowPaths) {

		public Secrets {
			patterns = (patterns != null) ? Collections.unmodifiableMap(new LinkedHashMap<>(patterns)) : Map.of();
			allowPaths = (allowPaths != null) ? List.copyOf(allowPaths) : List.of();
			try {
				PathGlob.compileAll(allowPaths);
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalArgumentException("warden.policy.secrets.allow-paths: " + ex.getMessage());
			}
			try {
				SecretScanner.withCustomPatterns(patterns);
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalArgumentException("warden.policy.secrets.patterns: " + ex.getMessage());
			}
		}

	}

	/** What happens to a non-fast-forward update. */
	public enum ForcePush {

		/** Allowed; the overwritten tip is reported (for the audit event and the mirror). */
		ALLOW,

		/** Refused as {@code non-fast-forward}. */
		DENY

	}

}
