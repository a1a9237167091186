package io.gitwarden;

import java.util.OptionalInt;

import io.gitwarden.cli.CommandLine;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Entry point: a scoped-credential git smart-HTTP proxy, and its command line ({@link CommandLine}). */
// Jackson 2 is on the class path for Flyway alone; without this exclusion the actuator would build a second,
// Jackson 2 JSON mapper for its endpoints beside the Jackson 3 one (~350 classes more at every start-up).
@SpringBootApplication(excludeName = "org.springframework.boot.actuate.autoconfigure.endpoint.jackson.Jackson2EndpointAutoConfiguration")
@ConfigurationPropertiesScan
public class GitWardenApplication {

	public static void main(String[] args) {
		// --help, --version and the subcommands run without starting Spring or binding a port.
		OptionalInt exit = CommandLine.run(args, System.out, System.err);
		if (exit.isPresent()) {
			System.exit(exit.getAsInt());
		}
		SpringApplication.run(GitWardenApplication.class, args);
	}

}
