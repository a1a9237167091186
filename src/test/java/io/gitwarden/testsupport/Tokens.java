package io.gitwarden.testsupport;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.crypto.SecretKey;

import io.jsonwebtoken.JwtBuilder;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;

/** Session tokens for tests, valid by default and easy to spoil one claim at a time. */
public final class Tokens {

	/** The HMAC secret the integration tests configure. */
	public static final String SECRET = "integration-test-secret-0123456789-abcdefghijklmnop";

	private final SecretKey key;

	private final Map<String, Object> claims = new LinkedHashMap<>();

	private Instant issuedAt = Instant.now();

	private Duration ttl = Duration.ofMinutes(30);

	private String audience = "git-warden";

	private Tokens(String secret) {
		this.key = Keys.hmacShaKeyFor(secret.getBytes(StandardCharsets.UTF_8));
		this.claims.put("sub", "session-1");
	}

	/** A token for {@code repo} with branch {@code agent/work} and both scopes. */
	public static Tokens forRepo(String repo) {
		return new Tokens(SECRET).claim("repo", repo).claim("branch", "agent/work").claim("scope", "fetch push");
	}

	public static Tokens withSecret(String secret, String repo) {
		return new Tokens(secret).claim("repo", repo).claim("branch", "agent/work").claim("scope", "fetch push");
	}

	/** Sets a claim; {@code null} removes it. */
	public Tokens claim(String name, Object value) {
		if (value == null) {
			this.claims.remove(name);
		}
		else {
			this.claims.put(name, value);
		}
		return this;
	}

	public Tokens issuedAt(Instant issuedAt) {
		this.issuedAt = issuedAt;
		return this;
	}

	public Tokens ttl(Duration ttl) {
		this.ttl = ttl;
		return this;
	}

	public Tokens audience(String audience) {
		this.audience = audience;
		return this;
	}

	public String sign() {
		return builder().signWith(this.key).compact();
	}

	/** A builder with the claims set, for signing with another key or algorithm. */
	public JwtBuilder builder() {
		JwtBuilder builder = Jwts.builder().claims(this.claims);
		if (this.audience != null) {
			builder.audience().add(this.audience);
		}
		if (this.issuedAt != null) {
			builder.issuedAt(Date.from(this.issuedAt));
		}
		if (this.ttl != null) {
			builder.expiration(Date.from(((this.issuedAt != null) ? this.issuedAt : Instant.now()).plus(this.ttl)));
		}
		return builder;
	}

	/** An unsigned token ({@code alg: none}) with the same claims. */
	public String unsigned() {
		return builder().compact();
	}

}
