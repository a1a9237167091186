package io.gitwarden.admin;

import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * Serves the hand-written OpenAPI description of the admin API at {@value #PATH}, without
 * authentication (it holds no secret). An explicit mapping is needed: static resources would lose to
 * the git proxy's {@code /**} catch-all. Hand-written rather than generated so that it documents the
 * contract, not whatever the code happens to do, and needs no extra library.
 */
@Controller
class OpenApiController {

	static final String PATH = "/openapi/admin-v1.yaml";

	private static final Resource DESCRIPTION = new ClassPathResource("openapi/admin-v1.yaml");

	@GetMapping(PATH)
	ResponseEntity<Resource> adminApi() {
		return ResponseEntity.ok().contentType(MediaType.parseMediaType("application/yaml")).body(DESCRIPTION);
	}

}
