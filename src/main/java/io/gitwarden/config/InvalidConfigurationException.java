package io.gitwarden.config;

/**
 * A setting that prevents git-warden from starting. Reported at startup by
 * {@link InvalidConfigurationFailureAnalyzer} with the property name and what to do.
 */
public class InvalidConfigurationException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	private final String property;

	public InvalidConfigurationException(String property, String message) {
		super(property + ": " + message);
		this.property = property;
	}

	/** The property (or properties) to fix. */
	public String property() {
		return this.property;
	}

}
