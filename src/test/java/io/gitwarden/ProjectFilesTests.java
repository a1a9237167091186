package io.gitwarden;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.yaml.snakeyaml.Yaml;

import static org.assertj.core.api.Assertions.assertThat;

/** The files a user or a packager looks for: the licence, where it is declared, the changelog, the chart's links. */
class ProjectFilesTests {

	static final String PROJECT_URL = "https://github.com/git-warden/git-warden";

	@Test
	void licenseIsTheFullApacheLicense() throws IOException {
		String license = Files.readString(Path.of("LICENSE"));
		assertThat(license).contains("Apache License", "Version 2.0, January 2004",
				"TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION", "END OF TERMS AND CONDITIONS",
				"APPENDIX: How to apply the Apache License to your work.");
		assertThat(license.lines().count()).isGreaterThan(150);
	}

	@Test
	void pomDeclaresTheLicenseAndTheProjectUrl() throws Exception {
		Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile());
		assertThat(text(pom, "/project/licenses/license/name")).isEqualTo("Apache-2.0");
		assertThat(text(pom, "/project/licenses/license/url")).isEqualTo("https://www.apache.org/licenses/LICENSE-2.0.txt");
		assertThat(text(pom, "/project/url")).isEqualTo(PROJECT_URL);
	}

	@Test
	@SuppressWarnings("unchecked")
	void chartNamesItsHomeSourcesAndLicense() throws IOException {
		Map<String, Object> chart = new Yaml().load(Files.readString(Path.of("helm", "git-warden", "Chart.yaml")));
		assertThat(chart.get("home")).isEqualTo(PROJECT_URL);
		assertThat((List<String>) chart.get("sources")).containsExactly(PROJECT_URL);
		assertThat((Map<String, Object>) chart.get("annotations")).containsEntry("artifacthub.io/license", "Apache-2.0");
	}

	@Test
	void changelogFollowsKeepAChangelogWithAnUnreleasedSection() throws IOException {
		String changelog = Files.readString(Path.of("CHANGELOG.md"));
		assertThat(changelog).startsWith("# Changelog").contains("https://keepachangelog.com/");
		assertThat(changelog).containsPattern("(?m)^## \\[Unreleased\\]$").containsPattern("(?m)^### Added$");
	}

	@Test
	void jqwikDatabaseIsIgnoredAndNotTracked() throws Exception {
		assertThat(Files.readAllLines(Path.of(".gitignore"))).contains(".jqwik-database");
		Process tracked = new ProcessBuilder("git", "ls-files", "--error-unmatch", ".jqwik-database")
			.redirectErrorStream(true)
			.start();
		tracked.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
		assertThat(tracked.waitFor(1, TimeUnit.MINUTES)).isTrue();
		assertThat(tracked.exitValue()).as("git ls-files --error-unmatch .jqwik-database").isNotZero();
	}

	private static String text(Document document, String path) throws Exception {
		return javax.xml.xpath.XPathFactory.newInstance().newXPath().evaluate(path, document);
	}

}
