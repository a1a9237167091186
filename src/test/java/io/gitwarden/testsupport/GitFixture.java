package io.gitwarden.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The static parts an end-to-end test class needs: a scratch directory, the git CLI with a home of its own
 * there, and the upstream's repositories; and the properties that point git-warden at that upstream.
 */
public record GitFixture(Path scratch, GitCli git, TestRepositories repositories) {

	public static GitFixture create(String name) throws IOException {
		Path scratch = Files.createTempDirectory(name);
		GitCli git = new GitCli(scratch.resolve("home"));
		return new GitFixture(scratch, git,
				new TestRepositories(git, Files.createDirectories(scratch.resolve("repos")), scratch));
	}

	/** Points git-warden at an upstream, with the test signing secret. */
	public void register(DynamicPropertyRegistry registry, Supplier<Object> upstreamUrl, String upstreamToken) {
		registry.add("warden.upstream.url", upstreamUrl);
		registry.add("warden.upstream.token", () -> upstreamToken);
		registry.add("warden.auth.hmac-secret", () -> Tokens.SECRET);
	}

}
