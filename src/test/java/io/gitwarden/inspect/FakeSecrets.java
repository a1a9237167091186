package io.gitwarden.inspect;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;

/**
 * Credential-shaped test data, generated at run time so that no token-like literal sits in the sources
 * (which would trip secret scanners, git-warden's own included).
 */
final class FakeSecrets {

	static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

	static final String BASE64 = ALNUM + "+/";

	private final Random random;

	FakeSecrets(long seed) {
		this.random = new Random(seed);
	}

	String chars(String alphabet, int length) {
		StringBuilder sb = new StringBuilder(length);
		for (int i = 0; i < length; i++) {
			sb.append(alphabet.charAt(this.random.nextInt(alphabet.length())));
		}
		return sb.toString();
	}

	String githubPat() {
		return "gh" + "p_" + chars(ALNUM, 36);
	}

	String githubFineGrainedPat() {
		return "github" + "_pat_" + chars(ALNUM, 22) + "_" + chars(ALNUM, 59);
	}

	String awsAccessKeyId() {
		return "AK" + "IA" + chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16);
	}

	String awsSecretAccessKey() {
		return chars(BASE64, 40);
	}

	String privateKey(String kind) {
		StringBuilder sb = new StringBuilder("-----BEGIN " + kind + "PRIVATE KEY-----\n");
		for (int i = 0; i < 6; i++) {
			sb.append(chars(BASE64, 64)).append('\n');
		}
		return sb.append("-----END " + kind + "PRIVATE KEY-----\n").toString();
	}

	String slackBotToken() {
		return "xo" + "xb-" + chars("0123456789", 12) + "-" + chars("0123456789", 13) + "-" + chars(ALNUM, 24);
	}

	String slackWebhook() {
		return "https://hooks.sl" + "ack.com/services/T" + chars("ABCDEFGHIJ0123456789", 8) + "/B"
				+ chars("ABCDEFGHIJ0123456789", 8) + "/" + chars(ALNUM, 24);
	}

	String stripeLiveKey() {
		return "sk" + "_live_" + chars(ALNUM, 24);
	}

	String googleApiKey() {
		return "AI" + "za" + chars(ALNUM + "_-", 35);
	}

	String gitlabPat() {
		return "gl" + "pat-" + chars(ALNUM, 20);
	}

	String npmToken() {
		return "np" + "m_" + chars(ALNUM, 36);
	}

	String jwt(String headerJson, int signatureLength) {
		Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
		String header = url.encodeToString(headerJson.getBytes(StandardCharsets.UTF_8));
		String payload = url.encodeToString("{\"sub\":\"1234567890\",\"name\":\"Jane\"}".getBytes(StandardCharsets.UTF_8));
		return header + "." + payload + "." + chars(ALNUM + "_-", signatureLength);
	}

	/** Ordinary source text: code, prose, ids, base64; nothing a detector should report. */
	String ordinaryText(int lines) {
		String[] samples = { "public static void main(String[] args) {", "\tString password = readPassword(console);",
				"// TODO: rotate the secret every 90 days (see the AKIA section of the AWS guide)",
				"The access key id starts with AKIA and is followed by sixteen characters.",
				"if (token.startsWith(\"ghp_\") || token.startsWith(\"github_pat_\")) {",
				"\tthrow new IllegalStateException(\"-----BEGIN PRIVATE KEY----- expected\");",
				"Fixes the regression from commit %s, reverted in %s.", "\"integrity\": \"sha512-%s\",",
				"secret_key_base: <%%= ENV[\"SECRET_KEY_BASE\"] %%>", "npm_config_cache=/tmp/npm", "xoxo, the team",
				"curl -H \"Authorization: Bearer $TOKEN\" https://api.example.com/v1/items", "sk_live_ keys are not allowed here",
				"\"jwt\": \"eyJhbGciOiJIUzI1NiJ9.\"", "data:image/png;base64,%s", "aws_secret_access_key = ${AWS_SECRET}", };
		StringBuilder sb = new StringBuilder();
		for (int i = 0; i < lines; i++) {
			String line = samples[this.random.nextInt(samples.length)];
			if (line.contains("%s")) {
				line = String.format(line, chars("0123456789abcdef", 40), chars(BASE64, 86));
			}
			else if (line.contains("%%")) {
				line = String.format(line);
			}
			sb.append(line).append('\n');
		}
		return sb.toString();
	}

}
