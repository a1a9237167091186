package io.gitwarden.inspect;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The built-in detectors: well-known credential formats with a distinctive prefix, so that each one has
 * a prefilter keyword and almost no false positive. Expressions demand a boundary before and after the
 * secret (no letter or digit glued on), the exact alphabet and length, and, for AWS secret access keys
 * (40 base64 characters, otherwise indistinguishable from any base64), an assignment to a name that says
 * so. Documentation examples published by AWS are ignored.
 */
final class BuiltInSecretRules {

	private static final String NOT_AFTER_WORD = "(?<![A-Za-z0-9_])";

	private static final Pattern JWT_ALG = Pattern.compile("\"alg\"\\s*:\\s*\"([^\"]*)\"");

	private BuiltInSecretRules() {
	}

	static List<SecretRule> all() {
		return List.of(
				prefixed("github-pat", List.of("ghp_"), "ghp_[A-Za-z0-9]{36,251}(?![A-Za-z0-9_])"),
				prefixed("github-oauth-token", List.of("gho_"), "gho_[A-Za-z0-9]{36,251}(?![A-Za-z0-9_])"),
				prefixed("github-app-token", List.of("ghu_", "ghs_"), "gh[us]_[A-Za-z0-9]{36,251}(?![A-Za-z0-9_])"),
				prefixed("github-refresh-token", List.of("ghr_"), "ghr_[A-Za-z0-9]{36,251}(?![A-Za-z0-9_])"),
				prefixed("github-fine-grained-pat", List.of("github_pat_"),
						"github_pat_[A-Za-z0-9_]{36,255}(?![A-Za-z0-9_])"),
				new SecretRule("aws-access-key-id", List.of("AKIA", "ASIA", "ABIA", "ACCA"),
						Pattern.compile(NOT_AFTER_WORD + "(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?![A-Za-z0-9_])"), 0, 0,
						true, Set.of("AKIAIOSFODNN7EXAMPLE"), null),
				// anchored at "secret": the name says AWS (aws..._secret...) or secret access key
				new SecretRule("aws-secret-access-key", List.of("secret"), Pattern.compile(
						"(?i)(?:(?<=(?<![a-z0-9])aws[a-z0-9_.-]{0,24})secret|secret[_.-]?access)[a-z0-9_.-]{0,24}"
								+ "[\"']?\\s{0,4}(?:=|:=|=>|:|,)\\s{0,4}[\"']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])"),
						0, 1, true, Set.of("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), null),
				new SecretRule("private-key", List.of("-----BEGIN "), Pattern.compile(
						"-----BEGIN (?:[A-Z0-9]{1,12} ){0,3}PRIVATE KEY(?: BLOCK)?-----"
								// what separates the header from the body: new lines, or escapes and quotes
								// when the key sits in a string literal
								+ "(?:\\\\r|\\\\n|[\\s\"'+,;(]){0,16}"
								// PGP armour and encrypted PKCS#1 headers ("Version: ...", "Proc-Type: ...")
								+ "(?:[A-Za-z-]{1,32}: [^\\r\\n\\\\]{0,100}(?:\\\\r|\\\\n|[\\s\"'+,;(]){1,16}){0,4}"
								+ "([A-Za-z0-9+/]{32})"),
						0, 1, true, Set.of(), null),
				prefixed("slack-token", List.of("xoxb-", "xoxa-", "xoxp-", "xoxr-", "xoxs-"),
						"xox[baprs]-[0-9]{6,}-[A-Za-z0-9-]{8,}"),
				new SecretRule("slack-webhook-url", List.of("hooks.slack.com/"),
						Pattern.compile("hooks\\.slack\\.com/(?:services|workflows|triggers)/([A-Za-z0-9+/_-]{30,})"), 0,
						1, true, Set.of(), null),
				prefixed("stripe-live-key", List.of("sk_live_", "rk_live_"),
						"[sr]k_live_[A-Za-z0-9]{20,247}(?![A-Za-z0-9])"),
				new SecretRule("google-api-key", List.of("AIza"),
						Pattern.compile("(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])"), 0, 0, true, Set.of(),
						null),
				prefixed("gitlab-pat", List.of("glpat-"), "glpat-[0-9A-Za-z_-]{20,}"),
				prefixed("npm-token", List.of("npm_"), "npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])"),
				new SecretRule("jwt", List.of("eyJ"), Pattern.compile(
						"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{2,}\\.[A-Za-z0-9_-]{16,}(?![A-Za-z0-9_-])"),
						0, 0, true, Set.of(), BuiltInSecretRules::isSignedJwt));
	}

	private static SecretRule prefixed(String name, List<String> keywords, String regex) {
		return new SecretRule(name, keywords, Pattern.compile(NOT_AFTER_WORD + regex), 0, 0, true, Set.of(), null);
	}

	/** The header decodes to a JSON object naming an algorithm other than {@code none}. */
	static boolean isSignedJwt(CharSequence token) {
		String text = token.toString();
		int dot = text.indexOf('.');
		if (dot <= 0 || dot > 2048) {
			return false;
		}
		byte[] header;
		try {
			header = Base64.getUrlDecoder().decode(text.substring(0, dot));
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
		String json = new String(header, StandardCharsets.UTF_8).strip();
		if (!json.startsWith("{") || !json.endsWith("}")) {
			return false;
		}
		Matcher alg = JWT_ALG.matcher(json);
		return alg.find() && !alg.group(1).isEmpty() && !"none".equals(alg.group(1).toLowerCase(Locale.ROOT));
	}

}
