package io.gitwarden.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;

import io.gitwarden.policy.Permission;
import io.gitwarden.policy.Refusal;
import io.gitwarden.policy.RefusalReason;
import io.gitwarden.protocol.RepositoryId;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.ExpiredJwtException;
import io.jsonwebtoken.JwsHeader;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.LocatorAdapter;
import io.jsonwebtoken.PrematureJwtException;
import io.jsonwebtoken.UnsupportedJwtException;
import io.jsonwebtoken.security.SecurityException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Repository;

/**
 * Verifies session JWTs: signature (key chosen by {@link VerificationKeys}, which also polices
 * {@code alg}), {@code exp} (required), {@code nbf}, {@code iat}, the maximum lifetime, {@code iss},
 * {@code aud}, and the git-warden claims {@code sub}, {@code repo}, {@code branch}, {@code scope}.
 * Refusal messages name the failed check, never the token or its contents.
 */
public final class JwtTokenVerifier implements TokenVerifier {

	/** Longest JWT accepted; real ones are well under 2 KiB. */
	static final int MAX_TOKEN_LENGTH = 8192;

	private static final int MAX_SESSION_LENGTH = 200;

	private final AuthProperties properties;

	private final Clock clock;

	private final JwtParser parser;

	public JwtTokenVerifier(AuthProperties properties, VerificationKeys keys, Clock clock) {
		this.properties = properties;
		this.clock = clock;
		this.parser = Jwts.parser()
			.keyLocator(new LocatorAdapter<>() {
				@Override
				protected java.security.Key locate(JwsHeader header) {
					return keys.keyFor(header);
				}
			})
			.clock(() -> Date.from(clock.instant()))
			.clockSkewSeconds(properties.clockSkew().toSeconds())
			.build();
	}

	@Override
	public SessionToken verify(String token) {
		if (token.length() > MAX_TOKEN_LENGTH) {
			throw invalid("token too long");
		}
		Claims claims = parse(token);
		Instant now = this.clock.instant();
		Instant expiresAt = instant(claims.getExpiration(), "exp");
		Instant issuedAt = (claims.getIssuedAt() != null) ? claims.getIssuedAt().toInstant() : null;
		Duration skew = this.properties.clockSkew();
		if (issuedAt != null && issuedAt.isAfter(now.plus(skew))) {
			throw new Refusal(RefusalReason.TOKEN_NOT_YET_VALID);
		}
		Instant lifetimeStart = (issuedAt != null) ? issuedAt : now;
		if (Duration.between(lifetimeStart, expiresAt).compareTo(this.properties.maxTokenLifetime()) > 0) {
			throw invalid("lifetime exceeds warden.auth.max-token-lifetime");
		}
		if (this.properties.issuer() != null && !this.properties.issuer().equals(claims.getIssuer())) {
			throw invalid("issuer not accepted");
		}
		Set<String> audience = claims.getAudience();
		if (audience == null || !audience.contains(this.properties.audience())) {
			throw invalid("audience not accepted");
		}
		String session = claims.getSubject();
		if (session == null || session.isBlank() || session.length() > MAX_SESSION_LENGTH || !isPrintable(session)) {
			throw invalid("claim 'sub' missing or invalid");
		}
		RepositoryId repository;
		try {
			repository = RepositoryId.parse(stringClaim(claims, "repo"));
		}
		catch (IllegalArgumentException ex) {
			throw invalid("claim 'repo' missing or not owner/name");
		}
		String branch = stringClaim(claims, "branch");
		if (branch != null && (!isPrintable(branch) || !Repository.isValidRefName(Constants.R_HEADS + branch))) {
			throw invalid("claim 'branch' is not a valid branch name");
		}
		return new SessionToken(session, repository, branch, permissions(stringClaim(claims, "scope")), expiresAt,
				sha256(token), issuedAt);
	}

	private Claims parse(String token) {
		try {
			return this.parser.parseSignedClaims(token).getPayload();
		}
		catch (ExpiredJwtException ex) {
			throw new Refusal(RefusalReason.TOKEN_EXPIRED);
		}
		catch (PrematureJwtException ex) {
			throw new Refusal(RefusalReason.TOKEN_NOT_YET_VALID);
		}
		catch (UnsupportedJwtException ex) {
			throw invalid("unsigned token or algorithm not accepted");
		}
		catch (SecurityException ex) {
			throw invalid("signature does not verify");
		}
		catch (JwtException | IllegalArgumentException ex) {
			throw invalid("not a valid signed JWT");
		}
	}

	private static Set<Permission> permissions(String scope) {
		Set<Permission> permissions = EnumSet.noneOf(Permission.class);
		if (scope != null) {
			for (String word : scope.trim().split("\\s+")) {
				Permission.fromScopeName(word).ifPresent(permissions::add);
			}
		}
		return Set.copyOf(permissions);
	}

	private static String stringClaim(Claims claims, String name) {
		Object value = claims.get(name);
		if (value == null) {
			return null;
		}
		if (!(value instanceof String text)) {
			throw invalid("claim '" + name + "' must be a string");
		}
		return text;
	}

	private static Instant instant(Date date, String claim) {
		if (date == null) {
			throw invalid("claim '" + claim + "' is required");
		}
		return date.toInstant();
	}

	private static boolean isPrintable(String text) {
		return text.chars().allMatch((c) -> c >= 0x20 && c != 0x7f);
	}

	private static Refusal invalid(String detail) {
		return new Refusal(RefusalReason.TOKEN_INVALID, detail);
	}

	/** Hex SHA-256 of a token: lets audit lines be joined to a token without storing it. */
	public static String sha256(String token) {
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			return HexFormat.of().formatHex(digest.digest(token.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
