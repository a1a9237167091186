package io.gitwarden.embedded;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

import io.gitwarden.auth.SessionTokenIssuer;
import io.gitwarden.auth.SessionTokenIssuer.IssuedToken;
import io.gitwarden.policy.Permission;
import io.gitwarden.protocol.RepositoryId;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationListener;

/**
 * Prints, once the demo is ready, a session token for {@code demo/hello} (branch {@code agent/demo})
 * and commands to try. Written to standard output, not to the log: it is the one place git-warden shows
 * a token, and only in demo mode, where the signing secret is random and dies with the process.
 */
final class DemoBanner implements ApplicationListener<ApplicationReadyEvent> {

	static final String DEMO_BRANCH = "agent/demo";

	private final SessionTokenIssuer issuer;

	private final PrintStream out;

	private final Path repositories;

	DemoBanner(SessionTokenIssuer issuer, PrintStream out, Path repositories) {
		this.issuer = issuer;
		this.out = out;
		this.repositories = repositories;
	}

	@Override
	public void onApplicationEvent(ApplicationReadyEvent event) {
		int port = (event.getApplicationContext() instanceof WebServerApplicationContext web)
				? web.getWebServer().getPort() : 8080;
		IssuedToken token = this.issuer.issue("demo-session", RepositoryId.parse(DemoRepositories.DEMO_REPOSITORY),
				DEMO_BRANCH, Set.of(Permission.FETCH, Permission.PUSH), Duration.ofHours(8));
		String url = "http://x:$WARDEN_TOKEN@localhost:" + port + "/" + DemoRepositories.DEMO_REPOSITORY + ".git";
		String commit = "git -c user.name=agent -c user.email=agent@example.invalid commit -qam 'agent change'";
		// Works again on every run: a fresh directory each time, and the branch an earlier run pushed is continued.
		this.out.println("""

				==================== git-warden demo mode ====================
				For trying git-warden out only: embedded upstream, random signing secret.
				Session token for demo/hello (branch agent/demo, scope "fetch push", expires %s):

				  export WARDEN_TOKEN=%s

				Clone into a new directory, then push to the session branch (accepted):
				  cd "$(mktemp -d)" && git clone %s && cd hello
				  git switch agent/demo 2>/dev/null || git switch -c agent/demo
				  echo change >> README.md && %s
				  git push origin agent/demo

				Push to main (refused: this session may push only to refs/heads/agent/demo):
				  git push origin HEAD:main

				Start over: stop git-warden and delete %s (rm -rf ./data by default).
				===============================================================
				""".formatted(token.expiresAt(), token.token(), url, commit,
						this.repositories.toAbsolutePath().normalize()));
		this.out.flush();
	}

}
