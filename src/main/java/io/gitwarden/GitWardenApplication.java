package io.gitwarden;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Entry point: a scoped-credential git smart-HTTP proxy. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class GitWardenApplication {

	public static void main(String[] args) {
		SpringApplication.run(GitWardenApplication.class, args);
	}

}
