package io.gitwarden.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration metadata that {@code spring-boot-configuration-processor} writes is complete (every
 * {@code warden.*} property has a description), its defaults are the only ones ({@code application.yaml}
 * repeats none), and {@code docs/configuration.md} lists every property with the same default.
 */
class ConfigurationDocsTests {

	private static final Pattern SECTION = Pattern.compile("^#+ .*?`(warden\\.[a-z.-]+)\\.\\*`");

	private static final Pattern ROW = Pattern.compile("^\\| `([a-z][a-z0-9.-]*)` \\| ([^|]*) \\|");

	private static final Pattern LITERAL = Pattern.compile("`([^`]+)`");

	static Map<String, JsonNode> metadata;

	@BeforeAll
	static void readMetadata() throws IOException {
		ClassPathResource resource = new ClassPathResource("META-INF/spring-configuration-metadata.json");
		assertThat(resource.exists()).as("metadata written by spring-boot-configuration-processor").isTrue();
		try (InputStream in = resource.getInputStream()) {
			metadata = new TreeMap<>();
			for (JsonNode property : JsonMapper.builder().build().readTree(in).get("properties")) {
				String name = property.get("name").asString();
				if (name.startsWith("warden.")) {
					metadata.put(name, property);
				}
			}
		}
	}

	@Test
	void everyPropertyHasADescription() {
		assertThat(metadata).containsKeys("warden.upstream.url", "warden.auth.hmac-secret", "warden.audit.file",
				"warden.upstream.github-app.private-key-password");
		assertThat(metadata.values()).allSatisfy((property) -> assertThat(property.path("description").asString(""))
			.as(property.get("name").asString())
			.isNotBlank());
	}

	@Test
	void applicationYamlRepeatsNoWardenDefault() throws IOException {
		String yaml = new ClassPathResource("application.yaml").getContentAsString(java.nio.charset.StandardCharsets.UTF_8);
		assertThat(yaml).doesNotContainPattern("(?m)^warden:");
	}

	@Test
	void configurationReferenceListsEveryPropertyWithItsDefault() throws IOException {
		Map<String, List<String>> documented = documentedDefaults(Path.of("docs", "configuration.md"));
		assertThat(documented.keySet()).as("documented properties that do not exist")
			.allSatisfy((name) -> assertThat(metadata).containsKey(name));
		assertThat(metadata.keySet()).as("properties missing from docs/configuration.md")
			.allSatisfy((name) -> assertThat(documented).containsKey(name));
		metadata.forEach((name, property) -> documented.get(name)
			.forEach((cell) -> assertDefault(name, property, cell, "docs/configuration.md")));
	}

	@Test
	void readmeTableShowsTheSameDefaults() throws IOException {
		Map<String, List<String>> documented = documentedDefaults(Path.of("README.md"));
		assertThat(documented).isNotEmpty();
		documented.forEach((name, cells) -> {
			assertThat(metadata).as("README names " + name).containsKey(name);
			cells.forEach((cell) -> assertDefault(name, metadata.get(name), cell, "README.md"));
		});
	}

	private static void assertDefault(String name, JsonNode property, String cell, String file) {
		JsonNode value = property.get("defaultValue");
		List<String> literals = new ArrayList<>();
		Matcher literal = LITERAL.matcher(cell);
		while (literal.find()) {
			literals.add(literal.group(1));
		}
		if (value == null || value.isNull()) {
			assertThat(literals).as("%s in %s has no default, but the docs show one: %s", name, file, cell).isEmpty();
		}
		else if (value.isArray() || value.asString().startsWith("[")) {
			// a list default: every element shown, in order
			List<String> elements = new ArrayList<>();
			if (value.isArray()) {
				value.forEach((element) -> elements.add(element.asString()));
			}
			else {
				String text = value.asString();
				elements.addAll(List.of(text.substring(1, text.length() - 1).split(",\\s*")));
			}
			assertThat(literals).as("%s in %s: default", name, file).containsExactlyElementsOf(elements);
		}
		else {
			assertThat(literals).as("%s in %s: default", name, file).containsExactly(value.asString());
		}
	}

	/** Table rows naming {@code warden.*} properties, by full name, with their default cells. */
	private static Map<String, List<String>> documentedDefaults(Path file) throws IOException {
		Map<String, List<String>> rows = new LinkedHashMap<>();
		String prefix = null;
		for (String line : Files.readAllLines(file)) {
			if (line.startsWith("#")) {
				Matcher section = SECTION.matcher(line);
				prefix = section.find() ? section.group(1) + "." : null;
				continue;
			}
			Matcher row = ROW.matcher(line);
			if (!row.find()) {
				continue;
			}
			String name = row.group(1);
			if (!name.startsWith("warden.")) {
				if (prefix == null) {
					continue;
				}
				name = prefix + name;
			}
			rows.computeIfAbsent(name, (key) -> new ArrayList<>()).add(row.group(2).trim());
		}
		return rows;
	}

}
