package io.gitwarden.auth;

import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ResponseBody;

/**
 * Publishes the public half of {@code warden.issuer.private-key} as a JWK set, so that other services
 * (and other git-warden replicas) can verify the tokens git-warden mints. Nothing is published with an
 * HMAC secret: a shared secret is never public. Mapped more specifically than the git catch-all, so it
 * wins over it.
 */
@Controller
class JwksEndpoint {

	static final String PATH = "/.well-known/jwks.json";

	private final SigningKeys keys;

	JwksEndpoint(SigningKeys keys) {
		this.keys = keys;
	}

	@GetMapping(PATH)
	@ResponseBody
	ResponseEntity<String> jwks() {
		IssuerKey issuerKey = this.keys.issuerKey();
		if (issuerKey == null) {
			return ResponseEntity.notFound().build();
		}
		return ResponseEntity.ok()
			.contentType(MediaType.APPLICATION_JSON)
			.cacheControl(CacheControl.maxAge(java.time.Duration.ofMinutes(5)).cachePublic())
			.body(issuerKey.jwksJson());
	}

}
