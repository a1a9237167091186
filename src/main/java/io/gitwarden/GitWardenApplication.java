package io.gitwarden;

import java.util.Arrays;

import io.gitwarden.store.DatabaseAuditVerifier;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Entry point: a scoped-credential git smart-HTTP proxy. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class GitWardenApplication {

	public static void main(String[] args) {
		if (args.length >= 2 && "audit".equals(args[0]) && "verify".equals(args[1])) {
			// A command-line tool, not the server: checks audit files, or the audit store's chains, without Spring.
			System.exit(DatabaseAuditVerifier.run(Arrays.asList(args).subList(2, args.length), System.getenv(),
					System.out, System.err));
		}
		SpringApplication.run(GitWardenApplication.class, args);
	}

}
