package io.gitwarden.console;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.springframework.context.annotation.Conditional;
import org.springframework.stereotype.Component;

/** Formatting for the templates ({@code ${@consoleFormat.time(...)}}): times in UTC, ages, lists. */
@Component("consoleFormat")
@Conditional(ConsoleEnabled.class)
public class ConsoleFormat {

	/** {@code 2026-05-04 09:12:33Z}. */
	public String time(Object time) {
		Instant instant = instant(time);
		if (instant == null) {
			return (time != null) ? time.toString() : "";
		}
		return instant.truncatedTo(ChronoUnit.SECONDS).toString().replace('T', ' ');
	}

	/** {@code 42s ago}, {@code 5m ago}, {@code 3h ago}, {@code 2d ago}. */
	public String ago(Object time) {
		Instant instant = instant(time);
		if (instant == null) {
			return "";
		}
		Duration age = Duration.between(instant, Instant.now());
		if (age.isNegative() || age.toSeconds() < 60) {
			return Math.max(0, age.toSeconds()) + "s ago";
		}
		if (age.toMinutes() < 60) {
			return age.toMinutes() + "m ago";
		}
		return (age.toHours() < 48) ? age.toHours() + "h ago" : age.toDays() + "d ago";
	}

	public String list(List<String> values) {
		return (values == null || values.isEmpty()) ? "" : String.join(", ", values);
	}

	private static Instant instant(Object time) {
		if (time instanceof Instant instant) {
			return instant;
		}
		if (time instanceof String text) {
			try {
				return Instant.parse(text);
			}
			catch (DateTimeParseException ex) {
				return null;
			}
		}
		return null;
	}

}
