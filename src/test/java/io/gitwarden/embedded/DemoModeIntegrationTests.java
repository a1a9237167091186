package io.gitwarden.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.gitwarden.GitWardenApplication;
import io.gitwarden.testsupport.GitCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The zero-configuration run: no upstream, no key. git-warden serves the embedded demo upstream, prints
 * a token and commands, and those commands, pasted into a shell, do what the banner says, on the first
 * run and again after a restart over the same data directory.
 */
@ExtendWith(OutputCaptureExtension.class)
class DemoModeIntegrationTests {

	private static final Pattern BANNER = Pattern
		.compile("(?s)={20} git-warden demo mode ={20}\\R(.*?)\\R={60,}");

	@Test
	void bannerCommandsWorkOnTheFirstAndOnASecondRun(CapturedOutput output) throws Exception {
		Path data = Files.createTempDirectory("warden-demo");
		// Tuning the demo (embedded repositories, policy, audit) keeps it a demo.
		String[] args = { "--server.port=0", "--warden.embedded.repositories=" + data.resolve("repos"),
				"--warden.policy.max-commands=100" };
		String first = runBannerCommands(args, data, output);
		String second = runBannerCommands(args, data, output);
		assertThat(second).isNotEqualTo(first);
	}

	/** Starts the demo, pastes its commands into bash, stops it; returns the token it printed. */
	private String runBannerCommands(String[] args, Path data, CapturedOutput output) throws Exception {
		int from = output.getOut().length();
		try (ConfigurableApplicationContext context = SpringApplication.run(GitWardenApplication.class, args)) {
			String printed = output.getOut().substring(from);
			Matcher banner = BANNER.matcher(printed);
			assertThat(banner.find()).as("demo banner in:\n%s", printed).isTrue();
			assertThat(output.getAll()).contains("This mode is for trying git-warden out");
			List<String> lines = banner.group(1).lines().filter((line) -> line.startsWith("  ")).map(String::strip)
				.toList();
			assertThat(lines.get(0)).startsWith("export WARDEN_TOKEN=");
			String token = lines.get(0).substring("export WARDEN_TOKEN=".length());
			// The banner goes to stdout; the token never reaches the log lines.
			assertThat(output.getAll().lines().filter((line) -> line.contains(token)))
				.allMatch((line) -> line.contains("export WARDEN_TOKEN="));
			assertThat(lines.get(lines.size() - 1)).isEqualTo("git push origin HEAD:main");
			// the demo turns the audit console on, with a sign-in token of its own
			int port = ((org.springframework.boot.web.server.context.WebServerApplicationContext) context).getWebServer()
				.getPort();
			Matcher console = Pattern.compile("Audit console: http://localhost:" + port
					+ "/console \\(sign in with (console-[0-9a-f]+), valid for this run only\\)").matcher(printed);
			assertThat(console.find()).as("console line in:\n%s", printed).isTrue();
			assertThat(consoleSignIn(port, "wrong-token-" + console.group(1))).endsWith("/console/login?error");
			assertThat(consoleSignIn(port, console.group(1))).endsWith("/console/sessions");

			StringBuilder script = new StringBuilder("set -e\n");
			lines.subList(0, lines.size() - 1).forEach((line) -> script.append(line).append('\n'));
			script.append("git rev-parse HEAD > \"$RESULT\"\nset +e\n")
				.append(lines.get(lines.size() - 1))
				.append("\necho \"main push exit $?\"\n");
			Shell shell = bash(script.toString(), data);
			assertThat(shell.exitCode()).as("banner commands:\n%s\n%s", script, shell.output()).isZero();
			assertThat(shell.output()).contains("main push exit 1")
				.contains("[remote rejected] HEAD -> main (git-warden: refs/heads/main is protected; this session may push only to "
						+ "refs/heads/agent/demo)");
			String pushed = Files.readString(data.resolve("result")).strip();
			assertThat(new GitCli(data.resolve("home"))
				.run(data, "--git-dir=" + data.resolve("repos/demo/hello.git"), "rev-parse", "refs/heads/agent/demo")
				.assertSuccess()
				.stdout()
				.strip()).isEqualTo(pushed);
			return token;
		}
	}

	/** Signs in to the console as a browser would (the form's CSRF token and cookie); returns where it leads. */
	private static String consoleSignIn(int port, String token) throws Exception {
		java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
			.cookieHandler(new java.net.CookieManager())
			.build();
		String base = "http://127.0.0.1:" + port;
		String form = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/console/login")).build(),
				java.net.http.HttpResponse.BodyHandlers.ofString()).body();
		Matcher csrf = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(form);
		assertThat(csrf.find()).as("CSRF token in the sign-in form").isTrue();
		java.net.http.HttpResponse<String> response = http.send(java.net.http.HttpRequest
			.newBuilder(java.net.URI.create(base + "/console/login"))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(java.net.http.HttpRequest.BodyPublishers.ofString("token="
					+ java.net.URLEncoder.encode(token, StandardCharsets.UTF_8) + "&_csrf="
					+ java.net.URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8)))
			.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(302);
		return response.headers().firstValue("Location").orElseThrow();
	}

	private static Shell bash(String script, Path data) throws IOException, InterruptedException {
		Files.createDirectories(data.resolve("tmp"));
		ProcessBuilder builder = new ProcessBuilder("bash", "-c", script).directory(data.toFile())
			.redirectErrorStream(true);
		Map<String, String> env = builder.environment();
		env.keySet().removeIf((name) -> name.startsWith("GIT_"));
		env.put("HOME", Files.createDirectories(data.resolve("home")).toString());
		env.put("XDG_CONFIG_HOME", data.resolve("home/.config").toString());
		env.put("GIT_CONFIG_NOSYSTEM", "1");
		env.put("GIT_TERMINAL_PROMPT", "0");
		env.put("TMPDIR", data.resolve("tmp").toString());
		env.put("RESULT", data.resolve("result").toString());
		env.put("LC_ALL", "C");
		Process process = builder.start();
		process.getOutputStream().close();
		CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() -> {
			try {
				return process.getInputStream().readAllBytes();
			}
			catch (IOException ex) {
				return new byte[0];
			}
		});
		assertThat(process.waitFor(3, TimeUnit.MINUTES)).as("banner commands finish").isTrue();
		return new Shell(process.exitValue(), new String(output.join(), StandardCharsets.UTF_8));
	}

	private record Shell(int exitCode, String output) {

	}

}
