package io.gitwarden.cli;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Properties;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;

import io.gitwarden.testsupport.Tokens;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code /actuator/info} shows the version (Boot's build-info) and the git commit (git.properties), as {@code --version} does. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class InfoEndpointIntegrationTests {

	@LocalServerPort
	int port;

	@Autowired
	Environment environment;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("warden.upstream.url", () -> "http://127.0.0.1:9");
		registry.add("warden.upstream.token", () -> "unused");
		registry.add("warden.auth.hmac-secret", () -> Tokens.SECRET);
	}

	@Test
	void infoShowsTheVersionAndTheCommit() throws Exception {
		int managementPort = this.environment.getProperty("local.management.port", Integer.class, this.port);
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/actuator/info")).build(),
					HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		JsonNode info = JsonMapper.builder().build().readTree(response.body());
		var pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile());
		assertThat(info.at("/build/version").asString())
			.isEqualTo(XPathFactory.newInstance().newXPath().evaluate("/project/version", pom));
		assertThat(info.at("/build/artifact").asString()).isEqualTo("git-warden");
		Properties git = new Properties();
		try (InputStream in = getClass().getClassLoader().getResourceAsStream("git.properties")) {
			assertThat(in).as("git.properties (the build ran in a git work tree)").isNotNull();
			git.load(in);
		}
		assertThat(git.getProperty("git.commit.id")).matches("[0-9a-f]{40}");
		assertThat(info.at("/git/commit/id").asString()).isIn(git.getProperty("git.commit.id"),
				git.getProperty("git.commit.id.abbrev"));
		assertThat(Version.current()).contains("(commit " + git.getProperty("git.commit.id.abbrev") + ")");
	}

}
