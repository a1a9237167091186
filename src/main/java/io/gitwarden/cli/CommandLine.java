package io.gitwarden.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.OptionalInt;

import io.gitwarden.auth.TokenMintCommand;
import io.gitwarden.store.DatabaseAuditVerifier;

/**
 * What {@code java -jar git-warden.jar ARGS} does, decided before Spring starts: print the usage or the
 * version, run a subcommand, or (no arguments, or only {@code --name=value} options) run the server.
 * <ul>
 * <li>{@code --help}, {@code -h} or {@code help}: the usage, exit 0;</li>
 * <li>{@code --version}: the version and commit, exit 0;</li>
 * <li>a subcommand ({@link #COMMANDS}): its exit status;</li>
 * <li>any other bare first word (a typo, {@code audit} without {@code verify}): "unknown command", the
 * usage, exit 0; never the server, which would start a demo on port 8080 by surprise.</li>
 * </ul>
 * A new subcommand is one more entry in {@link #COMMANDS}.
 */
public final class CommandLine {

	/** Where the documentation is. */
	static final String DOCS = "https://github.com/git-warden/git-warden (README.md, docs/)";

	/** A subcommand runner: the arguments after the command's words, and the two output streams. */
	@FunctionalInterface
	interface Handler {

		int run(List<String> args, PrintStream out, PrintStream err);

	}

	/**
	 * A subcommand.
	 *
	 * @param words the words that name it, e.g. {@code token mint}
	 * @param synopsis its arguments, for the usage
	 * @param description one line, for the usage
	 * @param handler what runs it
	 */
	record Command(List<String> words, String synopsis, String description, Handler handler) {

		String name() {
			return String.join(" ", this.words);
		}

	}

	static final List<Command> COMMANDS = List.of(
			new Command(List.of("token", "mint"), TokenMintCommand.SYNOPSIS,
					"print a session token signed with the configured key", TokenMintCommand::run),
			new Command(List.of("audit", "verify"), "FILE... | --warden.store.url=jdbc:postgresql://...",
					"check the hash chain of audit files (oldest first), or every chain in the audit store",
					(args, out, err) -> DatabaseAuditVerifier.run(args, System.getenv(), out, err)));

	private CommandLine() {
	}

	/**
	 * Handles the arguments that are not the server's.
	 * @return the exit status, or empty when the server should start with these arguments
	 */
	public static OptionalInt run(String[] arguments, PrintStream out, PrintStream err) {
		List<String> args = List.of(arguments);
		if (args.contains("--help") || args.contains("-h") || (!args.isEmpty() && "help".equals(args.get(0)))) {
			usage(out);
			return OptionalInt.of(0);
		}
		if (args.contains("--version")) {
			out.println(Version.current());
			return OptionalInt.of(0);
		}
		if (args.isEmpty() || args.get(0).startsWith("-")) {
			return OptionalInt.empty();
		}
		for (Command command : COMMANDS) {
			if (args.size() >= command.words().size() && args.subList(0, command.words().size()).equals(command.words())) {
				return OptionalInt.of(command.handler().run(args.subList(command.words().size(), args.size()), out, err));
			}
		}
		err.println("git-warden: unknown command '" + unknown(args) + "'");
		usage(out);
		return OptionalInt.of(0);
	}

	/** The words the user meant as a command: the first, and the second when the first starts a known one. */
	private static String unknown(List<String> args) {
		boolean group = COMMANDS.stream().anyMatch((command) -> command.words().get(0).equals(args.get(0)));
		if (group && args.size() > 1 && !args.get(1).startsWith("-")) {
			return args.get(0) + " " + args.get(1);
		}
		return args.get(0);
	}

	static void usage(PrintStream out) {
		StringBuilder text = new StringBuilder();
		text.append(Version.current()).append(": a scoped-credential git smart-HTTP proxy for sandboxed coding agents\n\n");
		text.append("Usage:\n");
		text.append("  java -jar git-warden.jar [--PROPERTY=VALUE ...]\n");
		text.append("      run the proxy; with no warden.upstream.*, warden.auth.*, warden.issuer.* or warden.admin.*\n");
		text.append("      setting it runs a demo with an embedded upstream and prints a token\n");
		for (Command command : COMMANDS) {
			text.append("  java -jar git-warden.jar ").append(command.name()).append(' ').append(command.synopsis())
				.append("\n      ").append(command.description()).append('\n');
		}
		text.append("  java -jar git-warden.jar --version\n      print the version and the git commit\n");
		text.append("  java -jar git-warden.jar --help\n      print this help\n\n");
		text.append("""
				Most important properties (also environment variables, e.g. WARDEN_UPSTREAM_URL, or application.yaml):
				  --warden.upstream.url=https://github.com     the upstream git server
				  --warden.upstream.token=TOKEN                 its credential (or warden.upstream.github-app.*)
				  --warden.upstream.username=x-access-token     user name sent with the token (GitLab: oauth2)
				  --warden.auth.hmac-secret=SECRET              session token key, 32+ bytes (or warden.auth.public-key,
				                                                warden.auth.jwks-uri)
				  --warden.issuer.private-key=file:key.pem      git-warden's own signing key (admin API, token mint)
				  --warden.admin.token=TOKEN                    enables the admin API (/admin/v1)
				  --warden.audit.file=./data/audit.jsonl        the hash-chained audit log
				  --warden.mode=demo|relay                      choose the mode instead of inferring it
				  --server.port=8080                            the listening port

				""");
		text.append("Documentation: ").append(DOCS).append("; every property: docs/configuration.md\n");
		out.print(text);
		out.flush();
	}

}
