package io.gitwarden.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;

import io.gitwarden.testsupport.Tokens;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code java -jar git-warden.jar ...}: usage, version and subcommands are handled before Spring starts;
 * only options (or nothing) start the server. Some checks run the real main class in a child JVM, which
 * must exit on its own: a server (the demo, on port 8080) would not.
 */
class CommandLineTests {

	@ParameterizedTest
	@ValueSource(strings = { "--help", "-h", "help" })
	void helpPrintsTheUsage(String option) {
		Run run = run(option);
		assertThat(run.status()).hasValue(0);
		assertUsage(run.out());
		assertThat(run.err()).isEmpty();
	}

	@Test
	void unknownCommandsSaySoAndPrintTheUsage() {
		Run audit = run("audit");
		assertThat(audit.status()).hasValue(0);
		assertThat(audit.err()).isEqualTo("git-warden: unknown command 'audit'\n");
		assertUsage(audit.out());
		assertThat(run("token", "mnt", "--repo", "a/b").err()).isEqualTo("git-warden: unknown command 'token mnt'\n");
		assertThat(run("frobnicate").err()).isEqualTo("git-warden: unknown command 'frobnicate'\n");
	}

	@Test
	void optionsAloneStartTheServer() {
		assertThat(run().status()).isEmpty();
		assertThat(run("--server.port=0", "--warden.upstream.url=https://github.com").status()).isEmpty();
	}

	@Test
	void versionComesFromTheBuild() throws Exception {
		Run run = run("--version");
		assertThat(run.status()).hasValue(0);
		String expected = "git-warden " + pomVersion();
		Properties git = new Properties();
		try (var in = getClass().getClassLoader().getResourceAsStream("git.properties")) {
			if (in != null) {
				git.load(in);
				expected += " (commit " + git.getProperty("git.commit.id.abbrev") + ")";
			}
		}
		assertThat(run.out()).isEqualTo(expected + "\n");
	}

	@Test
	void auditVerifyStillRuns(@TempDir Path dir) throws IOException {
		Path empty = Files.createFile(dir.resolve("audit.jsonl"));
		Run run = run("audit", "verify", empty.toString());
		assertThat(run.status()).hasValue(0);
		assertThat(run.out()).contains("OK 0 lines");
	}

	@ParameterizedTest
	@ValueSource(strings = { "--help", "audit", "--version" })
	void theMainClassExitsWithoutStartingAServer(String argument, @TempDir Path dir) throws Exception {
		Child child = java(dir, Map.of(), argument);
		assertThat(child.status()).isZero();
		assertThat(child.out()).startsWith("git-warden ");
		assertThat(child.out() + child.err()).doesNotContain("Tomcat", "demo mode", "Started GitWardenApplication");
	}

	@Test
	void tokenMintReadsTheKeyFromTheEnvironmentAndPrintsOnlyTheToken(@TempDir Path dir) throws Exception {
		Child child = java(dir, Map.of("WARDEN_AUTH_HMACSECRET", Tokens.SECRET), "token", "mint", "--repo",
				"acme/app", "--branch", "agent/x", "--scope", "fetch push", "--ttl", "10m");
		assertThat(child.status()).as(child.err()).isZero();
		assertThat(child.out()).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\n");
		assertThat(Jwts.parser()
			.verifyWith(Keys.hmacShaKeyFor(Tokens.SECRET.getBytes(StandardCharsets.UTF_8)))
			.build()
			.parseSignedClaims(child.out().strip())
			.getPayload()
			.get("branch")).isEqualTo("agent/x");
		assertThat(dir.resolve("data")).doesNotExist();
	}

	private static void assertUsage(String out) {
		assertThat(out).startsWith("git-warden ")
			.contains("java -jar git-warden.jar token mint --repo OWNER/NAME", "java -jar git-warden.jar audit verify FILE",
					"--version", "--warden.upstream.url=", "--warden.auth.hmac-secret=", "--warden.upstream.username=",
					"docs/configuration.md", "https://github.com/git-warden/git-warden");
	}

	private static String pomVersion() throws Exception {
		var pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile());
		return XPathFactory.newInstance().newXPath().evaluate("/project/version", pom);
	}

	private static Run run(String... args) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		OptionalInt status = CommandLine.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
				new PrintStream(err, true, StandardCharsets.UTF_8));
		return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
	}

	/** Runs {@code GitWardenApplication.main} in a child JVM with the test class path, in {@code dir}. */
	private static Child java(Path dir, Map<String, String> environment, String... args) throws Exception {
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-cp", System.getProperty("java.class.path"), "io.gitwarden.GitWardenApplication"));
		command.addAll(List.of(args));
		ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
		builder.environment().keySet().removeIf((name) -> name.startsWith("WARDEN_"));
		builder.environment().putAll(environment);
		Process process = builder.start();
		process.getOutputStream().close();
		CompletableFuture<String> out = read(process, true);
		CompletableFuture<String> err = read(process, false);
		boolean exited = process.waitFor(2, TimeUnit.MINUTES);
		if (!exited) {
			process.destroyForcibly().waitFor();
		}
		assertThat(exited).as("the child JVM exits on its own (a server would not): %s", err.join()).isTrue();
		return new Child(process.exitValue(), out.join(), err.join());
	}

	private static CompletableFuture<String> read(Process process, boolean stdout) {
		return CompletableFuture.supplyAsync(() -> {
			try {
				return new String((stdout ? process.getInputStream() : process.getErrorStream()).readAllBytes(),
						StandardCharsets.UTF_8);
			}
			catch (IOException ex) {
				return "";
			}
		});
	}

	private record Run(OptionalInt status, String out, String err) {

	}

	private record Child(int status, String out, String err) {

	}

}
