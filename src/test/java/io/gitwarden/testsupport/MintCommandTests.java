package io.gitwarden.testsupport;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MintCommandTests {

	@Test
	void dropsLogLinesOfOtherThreadsOnly() {
		String printed = """
				2026-11-30T18:44:17.245Z  INFO 9446 --- [git-warden] [-auto-21-exec-1] audit                                    : {"decision":"denied"}
				git-warden token mint: 'grants' is empty
				2026-11-30T18:44:17.300Z  WARN 9446 --- [git-warden] [           main] o.s.b.c.p.b.Binder                       : own warning
				2026-11-30T18:44:17.300Z  WARN 9446 --- [git-warden] [ver-mint-thread] x                                        : abbreviated own name
				""";
		assertThat(MintCommand.withoutOtherThreads(printed, "main")).isEqualTo("""
				git-warden token mint: 'grants' is empty
				2026-11-30T18:44:17.300Z  WARN 9446 --- [git-warden] [           main] o.s.b.c.p.b.Binder                       : own warning
				""");
		assertThat(MintCommand.withoutOtherThreads(printed, "a-long-server-mint-thread")).contains("abbreviated own name")
			.doesNotContain("own warning")
			.doesNotContain("denied");
	}

}
