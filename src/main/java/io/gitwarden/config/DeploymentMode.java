package io.gitwarden.config;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Demo or relay: decided once from the environment, before any bean exists, so that a partial
 * configuration can never fall back to the demo.
 * <ul>
 * <li>{@code warden.mode=demo}: the demo, explicitly. It refuses every setting it would otherwise ignore or
 * misuse: {@code warden.upstream.*}, {@code warden.issuer.*} and the verification keys
 * {@code warden.auth.hmac-secret}, {@code public-key} and {@code jwks-uri} (a demo never signs with a
 * configured key).</li>
 * <li>{@code warden.mode=relay}: relay to {@code warden.upstream.url}, which is then required.</li>
 * <li>unset: the demo only when no {@linkplain #DEPLOYMENT_SETTINGS deployment setting} has a value;
 * relay otherwise, so {@code warden.auth.hmac-secret} without (or with a misspelt)
 * {@code warden.upstream.url} stops start-up naming {@code warden.upstream.url}.</li>
 * </ul>
 * Settings that only tune the demo ({@code warden.embedded.*}, {@code warden.audit.*},
 * {@code warden.policy.*}) and names outside {@code warden.*} do not count. Nor do other {@code WARDEN_*}
 * environment variables such as {@code WARDEN_TOKEN}, which the demo banner itself tells users to export.
 */
public final class DeploymentMode {

	/** The property that chooses the mode explicitly. */
	public static final String MODE_PROPERTY = "warden.mode";

	/** Prefixes of the settings that imply a real deployment: any of them with a value selects relay mode. */
	public static final List<String> DEPLOYMENT_SETTINGS = List.of("warden.upstream", "warden.auth", "warden.issuer",
			"warden.admin", "warden.store");

	/** What {@code warden.mode=demo} refuses: an upstream, or a key the demo would sign or verify with. */
	static final List<String> REFUSED_IN_DEMO = List.of("warden.upstream", "warden.issuer", "warden.auth.hmac-secret",
			"warden.auth.public-key", "warden.auth.jwks-uri");

	private static final ConfigurationPropertyName WARDEN = ConfigurationPropertyName.of("warden");

	private DeploymentMode() {
	}

	/** True when git-warden runs the embedded demo (explicitly, or because nothing is configured). */
	public static boolean isDemo(Environment environment) {
		String mode = mode(environment);
		if (mode.isEmpty()) {
			return settings(environment, DEPLOYMENT_SETTINGS).isEmpty();
		}
		return "demo".equals(mode);
	}

	/**
	 * Checks an explicit {@code warden.mode=demo} against the settings it refuses.
	 * @throws InvalidConfigurationException naming the first refused setting that has a value
	 */
	public static void checkDemo(Environment environment) {
		if (!"demo".equals(mode(environment))) {
			return;
		}
		TreeSet<String> refused = settings(environment, REFUSED_IN_DEMO);
		if (!refused.isEmpty()) {
			throw new InvalidConfigurationException(refused.first(), "warden.mode=demo runs the embedded upstream "
					+ "with a random signing secret and uses no configured upstream or key; remove " + refused
					+ ", or unset warden.mode to relay to a real upstream");
		}
	}

	/**
	 * Checks that relay mode has what it cannot run without.
	 * @param upstreamUrl the bound {@code warden.upstream.url}, or {@code null}
	 * @throws InvalidConfigurationException naming {@code warden.mode} when it has an unknown value, or
	 * {@code warden.upstream.url} when it is missing
	 */
	public static void checkRelay(Environment environment, URI upstreamUrl) {
		String mode = mode(environment);
		if (!mode.isEmpty() && !"demo".equals(mode) && !"relay".equals(mode)) {
			throw new InvalidConfigurationException(MODE_PROPERTY, "must be demo or relay (or unset)");
		}
		if (upstreamUrl == null && !isDemo(environment)) {
			String why = "relay".equals(mode) ? "warden.mode=relay is set"
					: String.join(", ", settings(environment, DEPLOYMENT_SETTINGS)) + " set";
			throw new InvalidConfigurationException("warden.upstream.url", "the upstream git server is required: "
					+ why + ", so git-warden is not in demo mode (the demo runs only when no " + String.join(".*, ",
							DEPLOYMENT_SETTINGS)
					+ ".* setting is given, or with warden.mode=demo)");
		}
	}

	private static String mode(Environment environment) {
		String mode = environment.getProperty(MODE_PROPERTY, "");
		return mode.strip().toLowerCase(Locale.ROOT);
	}

	/** Names of the {@code warden.*} settings under {@code prefixes} that have a non-empty value. */
	static TreeSet<String> settings(Environment environment, List<String> prefixes) {
		TreeSet<String> found = new TreeSet<>();
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
			if (!(source instanceof IterableConfigurationPropertySource iterable)) {
				continue;
			}
			iterable.stream().filter(WARDEN::isAncestorOf).forEach((name) -> {
				String match = match(name, prefixes);
				if (match != null && hasValue(source.getConfigurationProperty(name))) {
					found.add(match);
				}
			});
		}
		return found;
	}

	/**
	 * The name to report when {@code name} is under one of the prefixes, else {@code null}. Compared without
	 * dashes ({@code WARDEN_AUTH_HMACSECRET} is {@code warden.auth.hmacsecret}); a name that is a listed
	 * property itself is reported in its canonical form.
	 */
	private static String match(ConfigurationPropertyName name, List<String> prefixes) {
		String text = name.toString().replace("-", "");
		for (String prefix : prefixes) {
			String bare = prefix.replace("-", "");
			if (text.equals(bare)) {
				return prefix;
			}
			if (text.startsWith(bare + ".") || text.startsWith(bare + "[")) {
				return name.toString();
			}
		}
		return null;
	}

	private static boolean hasValue(ConfigurationProperty property) {
		return property != null && property.getValue() != null && !property.getValue().toString().isBlank();
	}

	/** Matches in demo mode. */
	public static final class Demo implements Condition {

		@Override
		public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
			return isDemo(context.getEnvironment());
		}

	}

	/** Matches in relay mode. */
	public static final class Relay implements Condition {

		@Override
		public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
			return !isDemo(context.getEnvironment());
		}

	}

}
