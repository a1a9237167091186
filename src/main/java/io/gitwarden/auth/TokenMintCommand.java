package io.gitwarden.auth;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.gitwarden.config.InvalidConfigurationException;
import io.gitwarden.upstream.UpstreamProperties;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * {@code java -jar git-warden.jar token mint --repo OWNER/NAME --scope "fetch push" [--branch NAME] (or --grants
 * JSON) [--ttl 1h] [--session ID] [--PROPERTY=VALUE ...]}: prints a session token signed with the configured key,
 * for orchestrators written as shell scripts and for trying git-warden out. {@code --grants} takes the
 * {@code grants} document of the admin API, e.g.
 * {@code '[{"repo":"acme/app","scope":"fetch push","branches":["claude/*"]},{"repo":"acme/lib","scope":"fetch"}]'}.
 *
 * <p>The key is read exactly as the server reads it: {@code warden.auth.hmac-secret} or
 * {@code warden.issuer.private-key} (and the other {@code warden.auth.*} settings) from {@code --name=value}
 * arguments, environment variables, system properties or {@code application.yaml}, bound by a non-web
 * Spring context that holds nothing but those properties and the key (no upstream, no server, no port).
 * The request is checked by {@link MintRequest}, the rules of the admin API. Only the token goes to
 * standard output; anything Spring logs goes to standard error.
 */
public final class TokenMintCommand {

	/** Exit status of a refused request or a usage error. */
	static final int USAGE = 2;

	/** Exit status of a configuration that cannot mint. */
	static final int CONFIGURATION = 1;

	/** The command's own options; any other {@code --name=value} is a Spring property. */
	static final Set<String> OPTIONS = Set.of("repo", "branch", "scope", "grants", "ttl", "session");

	/** One line for the usage text. */
	public static final String SYNOPSIS = "--repo OWNER/NAME --scope \"fetch push\" [--branch NAME] (or --grants JSON) "
			+ "[--ttl 1h] [--session ID] [--PROPERTY=VALUE ...]";

	/** Parses {@code --grants}: duplicate fields are an error, not "the last one wins". */
	private static final JsonMapper JSON = JsonMapper.builder()
		.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
		.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
		.build();

	private static final String PREFIX = "git-warden token mint: ";

	private TokenMintCommand() {
	}

	/**
	 * Runs the command.
	 * @param args the arguments after {@code token mint}
	 * @return the exit status: 0 with the token on {@code out}; {@value #USAGE} for a refused request;
	 * {@value #CONFIGURATION} when the configuration is invalid or names no signing key
	 */
	public static int run(List<String> args, PrintStream out, PrintStream err) {
		Map<String, String> options = new LinkedHashMap<>();
		List<String> properties = new ArrayList<>();
		for (int i = 0; i < args.size(); i++) {
			String arg = args.get(i);
			if (!arg.startsWith("--") || arg.length() == 2) {
				return usage(err, "unexpected argument '" + arg + "'");
			}
			int equals = arg.indexOf('=');
			String name = arg.substring(2, (equals >= 0) ? equals : arg.length());
			if (!OPTIONS.contains(name)) {
				if (equals < 0) {
					return usage(err, "unknown option '--" + name + "'");
				}
				properties.add(arg);
				continue;
			}
			String value;
			if (equals >= 0) {
				value = arg.substring(equals + 1);
			}
			else if (i + 1 < args.size()) {
				value = args.get(++i);
			}
			else {
				return usage(err, "option '--" + name + "' needs a value");
			}
			if (options.put(name, value) != null) {
				return usage(err, "option '--" + name + "' is given twice");
			}
		}
		Duration ttl = null;
		if (options.containsKey("ttl")) {
			try {
				ttl = DurationStyle.detectAndParse(options.get("ttl"), ChronoUnit.SECONDS);
			}
			catch (IllegalArgumentException ex) {
				return usage(err, "'ttl' must be a duration such as 10m, 1h or 3600 (seconds)");
			}
		}
		Object grants = null;
		if (options.containsKey("grants")) {
			try {
				grants = JSON.readValue(options.get("grants"), Object.class);
			}
			catch (JacksonException ex) {
				return usage(err, "'grants' is not valid JSON");
			}
		}
		String token;
		PrintStream stdout = System.out;
		// Spring logs to System.out; standard output is for the token alone.
		System.setOut(err);
		try (ConfigurableApplicationContext context = application().run(properties.toArray(String[]::new))) {
			SessionTokenIssuer issuer = context.getBean(SessionTokenIssuer.class);
			if (!issuer.canIssue()) {
				err.println(PREFIX + MintRequest.NO_SIGNING_KEY);
				return CONFIGURATION;
			}
			MintRequest request = MintRequest.of(
					new MintRequest.Fields(options.get("repo"), options.get("branch"), options.get("scope"), grants,
							ttl, options.get("session")),
					new MintRequest.Limits(context.getBean(AuthProperties.class).maxTokenLifetime(),
							context.getBean(UpstreamProperties.class).maxPathDepth(), "ttl"));
			token = issuer.issue(request).token();
		}
		catch (MintRequest.Invalid ex) {
			err.println(PREFIX + ex.getMessage());
			return USAGE;
		}
		catch (RuntimeException ex) {
			err.println(PREFIX + "the configuration is invalid: " + reason(ex));
			return CONFIGURATION;
		}
		finally {
			System.setOut(stdout);
		}
		out.println(token);
		out.flush();
		return 0;
	}

	private static SpringApplication application() {
		SpringApplication application = new SpringApplication(SigningContext.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		application.setBannerMode(Banner.Mode.OFF);
		application.setLogStartupInfo(false);
		application.setRegisterShutdownHook(false);
		// Lowest precedence: quiet unless the configuration asks otherwise; our own message replaces Spring's
		// failure report, which would quote the rejected value (possibly a secret).
		application.setDefaultProperties(Map.of("logging.level.root", "warn",
				"logging.level.org.springframework.boot.SpringApplication", "off",
				"logging.level.org.springframework.boot.diagnostics", "off"));
		return application;
	}

	/** The configuration problem in one line: ours when it is ours, else the innermost cause's. */
	private static String reason(Throwable failure) {
		Throwable innermost = failure;
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof InvalidConfigurationException) {
				return cause.getMessage();
			}
			innermost = cause;
		}
		return (innermost.getMessage() != null) ? innermost.getMessage() : innermost.getClass().getSimpleName();
	}

	private static int usage(PrintStream err, String problem) {
		err.println(PREFIX + problem);
		err.println("usage: java -jar git-warden.jar token mint " + SYNOPSIS);
		return USAGE;
	}

	/**
	 * The whole Spring context of the command: the {@code warden.auth.*} and {@code warden.issuer.*}
	 * properties and the key they name, and {@code warden.upstream.*} for the deepest repository path. Not a
	 * {@code @Configuration}, so the server's component scan never picks it up.
	 */
	@EnableConfigurationProperties({ AuthProperties.class, IssuerProperties.class, UpstreamProperties.class })
	static class SigningContext {

		@Bean
		SessionTokenIssuer sessionTokenIssuer(AuthProperties auth, IssuerProperties issuer) {
			return SigningKeys.configured(auth, issuer).issuer(auth, Clock.systemUTC());
		}

	}

}
