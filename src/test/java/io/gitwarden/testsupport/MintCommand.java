package io.gitwarden.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.gitwarden.auth.TokenMintCommand;

/**
 * Runs {@code token mint} inside the test JVM and returns what it printed.
 * <p>
 * The command points {@code System.out} (Spring's log) at its standard error while it runs. In its own process
 * that is only the command's output; in a test JVM, servers of other test contexts keep logging from their own
 * threads (an audit record written after its response, a mirror's maintenance) and those lines would land in
 * the command's standard error too. They are dropped here, recognised by the log pattern and a thread other
 * than the one running the command; the command's own lines, log lines of its thread included, are kept.
 */
public final class MintCommand {

	/** Spring Boot's console pattern: {@code <time> <level> <pid> --- [<app>] [<thread>] <logger> : ...}. */
	private static final Pattern LOG_LINE = Pattern
		.compile("^\\d{4}-\\d\\d-\\d\\dT\\S+\\s+[A-Z]+\\s+\\d+ --- (?:\\[[^\\]]*\\] )?\\[\\s*([^\\]]*?)\\] .*");

	private MintCommand() {
	}

	public static Run run(List<String> args) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		int status = TokenMintCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
				new PrintStream(err, true, StandardCharsets.UTF_8));
		return new Run(status, out.toString(StandardCharsets.UTF_8),
				withoutOtherThreads(err.toString(StandardCharsets.UTF_8), Thread.currentThread().getName()));
	}

	static String withoutOtherThreads(String printed, String thread) {
		if (printed.isEmpty()) {
			return printed;
		}
		return printed.lines().filter((line) -> {
			Matcher log = LOG_LINE.matcher(line);
			// Boot abbreviates long thread names from the left to 15 characters.
			return !log.matches() || thread.endsWith(log.group(1));
		}).map((line) -> line + "\n").collect(Collectors.joining());
	}

	public record Run(int status, String out, String err) {

	}

}
