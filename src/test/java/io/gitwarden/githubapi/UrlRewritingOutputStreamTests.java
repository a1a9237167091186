package io.gitwarden.githubapi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class UrlRewritingOutputStreamTests {

	private static final String FROM = "https://api.github.com/";

	private static final String TO = "https://git-warden.test/api/v3/";

	@Test
	void rewritesEveryOccurrenceWhateverTheWriteBoundaries() throws IOException {
		String body = "{\"url\":\"https://api.github.com/repos/a/b\",\"x\":\"https://api.github.co\",\"y\":"
				+ "\"https://api.github.com/https://api.github.com/\",\"z\":\"hhttps://api.github.com/q\"}";
		String expected = body.replace(FROM, TO);
		for (int chunk = 1; chunk <= body.length(); chunk++) {
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			UrlRewritingOutputStream rewriter = new UrlRewritingOutputStream(out, FROM, TO, 1024);
			byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
			for (int i = 0; i < bytes.length; i += chunk) {
				rewriter.write(bytes, i, Math.min(chunk, bytes.length - i));
			}
			rewriter.finish();
			assertThat(out.toString(StandardCharsets.UTF_8)).as("chunk " + chunk).isEqualTo(expected);
		}
	}

	@Test
	void aPartialMatchAtTheEndIsWrittenOut() throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		UrlRewritingOutputStream rewriter = new UrlRewritingOutputStream(out, FROM, TO, 1024);
		rewriter.write("tail https://api.git".getBytes(StandardCharsets.UTF_8));
		rewriter.finish();
		assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("tail https://api.git");
	}

	@Test
	void moreThanTheLimitFails() throws IOException {
		UrlRewritingOutputStream rewriter = new UrlRewritingOutputStream(new ByteArrayOutputStream(), FROM, TO, 10);
		rewriter.write(new byte[10]);
		assertThatExceptionOfType(UrlRewritingOutputStream.TooLarge.class).isThrownBy(() -> rewriter.write(1));
	}

}
