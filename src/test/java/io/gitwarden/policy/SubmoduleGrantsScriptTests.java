package io.gitwarden.policy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.gitwarden.auth.MintRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code grants-from-gitmodules} script of {@code docs/client-setup.md}, as printed there: it turns a
 * {@code .gitmodules} into a grants document that git-warden mints, reading relative, HTTPS and SSH GitHub
 * URLs, skipping other hosts and names that are not repository paths, and naming each repository once.
 */
class SubmoduleGrantsScriptTests {

	static final String START = "#!/bin/sh\n# grants-from-gitmodules";

	@Test
	void theDocumentedScriptDerivesReadGrantsThatGitWardenMints(@TempDir Path dir) throws Exception {
		String docs = Files.readString(Path.of("docs/client-setup.md"));
		int start = docs.indexOf(START);
		assertThat(start).as("the script in docs/client-setup.md").isPositive();
		Path script = Files.writeString(dir.resolve("grants-from-gitmodules"),
				docs.substring(start, docs.indexOf("```", start)));
		String gitmodules = """
				[submodule "lib"]
					path = lib
					url = ../lib.git
				[submodule "tools"]
					path = tools
					url = ../../platform/tools.git
				[submodule "docs"]
					path = docs
					url = https://github.com/acme/Docs.git
				[submodule "ssh"]
					path = ssh
					url = git@github.com:acme/ssh-lib.git
				[submodule "again"]
					path = again
					url = https://github.com/ACME/lib
				[submodule "self"]
					path = self
					url = ../app.git
				[submodule "elsewhere"]
					path = elsewhere
					url = https://gitlab.com/acme/other.git
				[submodule "sneaky"]
					path = sneaky
					url = ../lib\\",\\"scope\\":\\"fetch push.git
				""";
		Process process = new ProcessBuilder("sh", script.toString(), "acme/app", "claude/*").directory(dir.toFile())
			.start();
		process.getOutputStream().write(gitmodules.getBytes(StandardCharsets.UTF_8));
		process.getOutputStream().close();
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.exitValue()).as(err).isZero();
		Object grants = JsonMapper.builder().build().readValue(out, Object.class);
		assertThat(grants).isEqualTo(List.of(
				Map.of("repo", "acme/app", "scope", "fetch push", "branches", List.of("claude/*")),
				Map.of("repo", "acme/lib", "scope", "fetch"), Map.of("repo", "platform/tools", "scope", "fetch"),
				Map.of("repo", "acme/Docs", "scope", "fetch"), Map.of("repo", "acme/ssh-lib", "scope", "fetch")));
		assertThat(err).contains("skipping https://gitlab.com/acme/other.git (not on github.com)")
			.contains("(not a repository path)");
		MintRequest request = MintRequest.of(new MintRequest.Fields(null, null, null, grants, null, null),
				new MintRequest.Limits(Duration.ofHours(1), 8, "ttlSeconds"));
		assertThat(request.describe())
			.isEqualTo("acme/app (fetch push), acme/lib (fetch), platform/tools (fetch), acme/Docs (fetch), "
					+ "acme/ssh-lib (fetch)");
	}

}
