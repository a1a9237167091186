package io.gitwarden.admin;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hand-written OpenAPI description says what the code does: the fields and parameters the API reads
 * (and so refuses all others), the error codes, and an error response for every status each operation can
 * answer.
 */
class OpenApiDescriptionTests {

	@SuppressWarnings("unchecked")
	static Map<String, Object> map(Object node, String... path) {
		Object current = node;
		for (String key : path) {
			current = ((Map<String, Object>) current).get(key);
		}
		return (Map<String, Object>) current;
	}

	static Map<String, Object> description() throws IOException {
		try (InputStream in = new ClassPathResource("openapi/admin-v1.yaml").getInputStream()) {
			return new Yaml().load(in);
		}
	}

	@Test
	void everyOperationDescribesEveryErrorItCanAnswer() throws IOException {
		Map<String, Object> paths = map(description(), "paths");
		Map<String, List<String>> expected = Map.of("/admin/v1/tokens post",
				List.of("201", "400", "401", "404", "405", "409", "413", "415", "500"),
				"/admin/v1/sessions/{session}/revoke post", List.of("204", "400", "401", "404", "405", "500", "503"),
				"/admin/v1/audit get", List.of("200", "400", "401", "404", "405", "500", "501", "503"));
		expected.forEach((operation, statuses) -> {
			String[] parts = operation.split(" ");
			assertThat(map(paths, parts[0], parts[1], "responses").keySet()).as(operation)
				.containsExactlyInAnyOrderElementsOf(statuses);
		});
	}

	@Test
	void theRequestFieldsAndParametersAreTheOnesTheCodeReads() throws IOException {
		Map<String, Object> api = description();
		Map<String, Object> tokenRequest = map(api, "components", "schemas", "TokenRequest");
		assertThat(tokenRequest.get("additionalProperties")).isEqualTo(false);
		assertThat(map(tokenRequest, "properties").keySet()).containsExactlyInAnyOrderElementsOf(AdminInput.TOKEN_FIELDS);
		Map<String, Object> grant = map(api, "components", "schemas", "Grant");
		assertThat(grant.get("additionalProperties")).isEqualTo(false);
		assertThat(map(grant, "properties").keySet()).containsExactly("repo", "scope", "branches", "tags");
		@SuppressWarnings("unchecked")
		List<Map<String, Object>> parameters = (List<Map<String, Object>>) map(api, "paths", "/admin/v1/audit", "get")
			.get("parameters");
		assertThat(parameters).extracting((parameter) -> parameter.get("name"))
			.containsExactlyInAnyOrderElementsOf(AdminController.AUDIT_PARAMETERS);
		assertThat(map(api, "paths", "/admin/v1/tokens", "post").get("parameters")).isNull();
	}

	@Test
	void theErrorCodesAreListed() throws IOException {
		assertThat(map(description(), "components", "schemas", "Error", "properties", "error").get("enum"))
			.asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
			.containsExactlyInAnyOrder("bad_request", "unauthorized", "not_found", "method_not_allowed",
					"no_signing_key", "too_large", "unsupported_media_type", "internal_error", "audit_not_readable",
					"store_unavailable");
	}

}
