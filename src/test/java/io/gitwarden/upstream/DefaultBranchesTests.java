package io.gitwarden.upstream;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.gitwarden.policy.PolicyProperties;
import io.gitwarden.protocol.RepositoryId;
import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Reading the default branch from the first line of a v0 upload-pack advertisement, and nothing more; one
 * lookup per repository while the answer is kept, none when {@code HEAD} is not protected.
 */
class DefaultBranchesTests {

	static final String ID = "1".repeat(40);

	static String pkt(String line) {
		return String.format("%04x", line.length() + 4) + line;
	}

	static InputStream advertisement(String firstRefLine) {
		return new ByteArrayInputStream((pkt("# service=git-upload-pack\n") + "0000" + pkt(firstRefLine))
			.getBytes(StandardCharsets.UTF_8));
	}

	@Test
	void theSymrefCapabilityOfTheFirstLineNamesTheDefaultBranch() throws IOException {
		assertThat(DefaultBranches.defaultBranch(advertisement(ID
				+ " HEAD\0multi_ack thin-pack side-band symref=HEAD:refs/heads/trunk object-format=sha1 agent=git/2.39\n")))
			.isEqualTo("trunk");
		assertThat(DefaultBranches.defaultBranch(advertisement(ID + " HEAD\0symref=HEAD:refs/heads/release/2.x\n")))
			.isEqualTo("release/2.x");
	}

	@Test
	void noSymrefMeansUnknown() throws IOException {
		// a detached HEAD, an empty repository, a server that does not say
		assertThat(DefaultBranches.defaultBranch(advertisement(ID + " HEAD\0multi_ack side-band-64k\n"))).isNull();
		assertThat(DefaultBranches.defaultBranch(
				advertisement("0".repeat(40) + " capabilities^{}\0report-status\n"))).isNull();
		assertThat(DefaultBranches.defaultBranch(advertisement(ID + " HEAD\0symref=HEAD:refs/heads/a..b\n"))).isNull();
		assertThat(DefaultBranches.defaultBranch(new ByteArrayInputStream(
				(pkt("# service=git-upload-pack\n") + "0000" + "0000").getBytes(StandardCharsets.UTF_8)))).isNull();
		assertThat(DefaultBranches.defaultBranch(new ByteArrayInputStream(
				(pkt("version 2\n") + pkt("ls-refs\n") + "0000").getBytes(StandardCharsets.UTF_8)))).isNull();
		assertThat(DefaultBranches.defaultBranch(new ByteArrayInputStream(
				(pkt("# service=git-upload-pack\n") + "0000").getBytes(StandardCharsets.UTF_8)))).isNull();
		assertThat(DefaultBranches.defaultBranch(InputStream.nullInputStream())).isNull();
	}

	@Test
	void readsOnlyTheFirstRefLine() throws IOException {
		InputStream endless = new InputStream() {

			@Override
			public int read() {
				throw new AssertionError("read past the first ref line");
			}

		};
		assertThat(DefaultBranches.defaultBranch(new SequenceInputStream(
				advertisement(ID + " HEAD\0symref=HEAD:refs/heads/main\n"), endless)))
			.isEqualTo("main");
	}


	@Test
	void answersAreKeptPerRepositoryFailuresAreNotAndNothingIsAskedWhenHeadIsNotProtected() throws IOException {
		WireMockServer upstream = new WireMockServer(
				WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
		upstream.start();
		try (CloseableHttpClient http = HttpClients.custom().disableAutomaticRetries().build()) {
			UpstreamTarget target = new UpstreamTarget(URI.create("http://127.0.0.1:" + upstream.port()),
					new StaticTokenCredentials("upstream-token"));
			UpstreamClient client = new UpstreamClient(http);
			DefaultBranches branches = new DefaultBranches(target, client,
					new PolicyProperties(false, false, List.of("main", "HEAD"), 1000, 1048576));
			upstream.stubFor(get(urlPathEqualTo("/acme/app.git/info/refs")).willReturn(aResponse().withStatus(200)
				.withHeader("Content-Type", "application/x-git-upload-pack-advertisement")
				.withBody(pkt("# service=git-upload-pack\n") + "0000"
						+ pkt(ID + " HEAD\0side-band-64k symref=HEAD:refs/heads/trunk\n") + pkt(ID + " refs/heads/trunk\n")
						+ "0000")));
			upstream.stubFor(get(urlPathEqualTo("/acme/broken.git/info/refs")).willReturn(aResponse().withStatus(500)));
			assertThat(branches.of(RepositoryId.parse("acme/app"))).isEqualTo("trunk");
			assertThat(branches.of(RepositoryId.parse("ACME/App"))).isEqualTo("trunk");
			upstream.verify(1, getRequestedFor(urlPathEqualTo("/acme/app.git/info/refs"))
				.withQueryParam("service", equalTo("git-upload-pack"))
				.withHeader("Authorization", equalTo(StaticTokenCredentials.basic("x-access-token", "upstream-token")))
				.withoutHeader("Git-Protocol"));
			for (int i = 0; i < 2; i++) {
				assertThatExceptionOfType(Refusal.class).isThrownBy(() -> branches.of(RepositoryId.parse("acme/broken")))
					.satisfies((refusal) -> assertThat(refusal.reason()).isEqualTo(RefusalReason.UPSTREAM_ERROR))
					.withMessage("upstream git server answered HTTP 500");
			}
			upstream.verify(2, getRequestedFor(urlPathEqualTo("/acme/broken.git/info/refs")));
			DefaultBranches unprotected = new DefaultBranches(target, client,
					new PolicyProperties(false, false, List.of("main", "master"), 1000, 1048576));
			assertThat(unprotected.of(RepositoryId.parse("acme/other"))).isNull();
			upstream.verify(0, getRequestedFor(urlPathEqualTo("/acme/other.git/info/refs")));
		}
		finally {
			upstream.stop();
		}
	}

}
