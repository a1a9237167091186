package io.gitwarden.config;

/**
 * Range checks for the compact constructors of the {@code @ConfigurationProperties} records: each failure names the
 * property, which Spring Boot's binding report then prints at start-up.
 * <p>
 * Plain code rather than Bean Validation: the properties' other rules (URL shapes, sizes that must fit each
 * other) are code in the same constructors already, and Hibernate Validator loaded about 600 classes at every
 * start-up for the handful of ranges below.
 */
public final class Settings {

	private Settings() {
	}

	/**
	 * Checks that {@code value} lies in {@code [min, max]}.
	 * @throws IllegalArgumentException naming {@code property} otherwise
	 */
	public static void between(String property, int value, int min, int max) {
		if (value < min || value > max) {
			throw new IllegalArgumentException(
					property + " must be between " + min + " and " + max + " (is " + value + ")");
		}
	}

}
