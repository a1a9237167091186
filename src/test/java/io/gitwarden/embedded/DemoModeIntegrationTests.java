package io.gitwarden.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.gitwarden.testsupport.GitCli;
import io.gitwarden.testsupport.GitCli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import io.gitwarden.GitWardenApplication;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The zero-configuration run: no upstream, no key. git-warden serves the embedded demo upstream, prints
 * a token and commands, and those commands do what the banner says.
 */
@ExtendWith(OutputCaptureExtension.class)
class DemoModeIntegrationTests {

	private static final Pattern TOKEN = Pattern.compile("export WARDEN_TOKEN=(\\S+)");

	@Test
	void bannerTokenClonesPushesTheDemoBranchAndIsRefusedOnMain(CapturedOutput output) throws IOException {
		Path data = Files.createTempDirectory("warden-demo");
		try (ConfigurableApplicationContext context = SpringApplication.run(GitWardenApplication.class,
				"--server.port=0", "--warden.embedded.repositories=" + data.resolve("repos"))) {
			int port = ((WebServerApplicationContext) context).getWebServer().getPort();
			assertThat(output.getOut()).contains("git-warden demo mode").contains("git push origin agent/demo");
			assertThat(output.getAll()).contains("This mode is for trying git-warden out");
			Matcher matcher = TOKEN.matcher(output.getOut());
			assertThat(matcher.find()).isTrue();
			String token = matcher.group(1);
			// The banner goes to stdout; the token never reaches the log lines.
			assertThat(output.getAll().lines().filter((line) -> line.contains(token)))
				.allMatch((line) -> line.contains("export WARDEN_TOKEN="));

			GitCli git = new GitCli(data.resolve("home"));
			Path work = data.resolve("hello");
			git.run(data, "clone", "-q", "http://x:" + token + "@localhost:" + port + "/demo/hello.git", work.toString())
				.assertSuccess();
			assertThat(work.resolve("README.md")).exists();
			git.run(work, "switch", "-q", "-c", "agent/demo").assertSuccess();
			Files.writeString(work.resolve("README.md"), "change\n");
			git.run(work, "commit", "-qam", "agent change").assertSuccess();
			git.run(work, "push", "-q", "origin", "agent/demo").assertSuccess();
			Result main = git.run(work, "push", "origin", "HEAD:main");
			assertThat(main.exitCode()).isNotZero();
			assertThat(main.stderr()).contains("[remote rejected] HEAD -> main (git-warden: refs/heads/main is protected; this session may push only "
					+ "to refs/heads/agent/demo)");
		}
	}

}
