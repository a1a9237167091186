package io.gitwarden.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;
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
 * {@code aud}, and the git-warden claims {@code sub} and {@code grants} (or the older {@code repo},
 * {@code branch}, {@code scope}).
 * Refusal messages name the failed check, never the token or its contents.
 */
public final class JwtTokenVerifier implements TokenVerifier {

	/** Longest JWT accepted; real ones are well under 2 KiB. */
	static final int MAX_TOKEN_LENGTH = 8192;

	private static final int MAX_SESSION_LENGTH = 200;

	private final AuthProperties properties;

	private final Clock clock;

	private final JwtParser parser;

	private final int maxPathDepth;

	public JwtTokenVerifier(AuthProperties properties, VerificationKeys keys, Clock clock) {
		this(properties, keys, clock, RepositoryId.MAX_SEGMENTS);
	}

	/**
	 * @param maxPathDepth most segments a repository path may have ({@code warden.upstream.max-path-depth})
	 */
	public JwtTokenVerifier(AuthProperties properties, VerificationKeys keys, Clock clock, int maxPathDepth) {
		this.maxPathDepth = maxPathDepth;
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
		if (session == null || session.isBlank() || session.length() > MAX_SESSION_LENGTH || !isValidSession(session)) {
			throw invalid("claim 'sub' missing or invalid (1 to " + MAX_SESSION_LENGTH
					+ " printable characters, none of / ; \\ %)");
		}
		return new SessionToken(session, grants(claims), issuedAt, expiresAt, sha256(token));
	}

	/**
	 * The grants of a token: the {@code grants} claim ({@link GrantsClaim}, the rules and messages of minting), or
	 * one grant from {@code repo}, {@code branch} and {@code scope}; never both.
	 */
	private List<Grant> grants(Claims claims) {
		Object list = claims.get("grants");
		boolean legacy = claims.get("repo") != null || claims.get("branch") != null || claims.get("scope") != null;
		try {
			if (list == null) {
				return List.of(legacyGrant(claims));
			}
			if (legacy) {
				throw new GrantsClaim.Invalid(GrantsClaim.BOTH_FORMS);
			}
			return GrantsClaim.parse(list, this.maxPathDepth, false);
		}
		catch (GrantsClaim.Invalid ex) {
			// the message minting gives, said of a claim: "claim 'grants[0].repo' must be owner/name"
			throw invalid("claim " + ex.getMessage());
		}
	}

	private Grant legacyGrant(Claims claims) {
		RepositoryId repository = GrantsClaim.repository(claims.get("repo"), "repo", this.maxPathDepth);
		String branch = stringClaim(claims, "branch");
		if (branch != null && (!isPrintable(branch) || !Repository.isValidRefName(Constants.R_HEADS + branch))) {
			throw invalid("claim 'branch' is not a valid branch name");
		}
		return new Grant(repository, GrantsClaim.scope(claims.get("scope"), "scope", false),
				(branch != null) ? List.of(RefPattern.of(branch)) : List.of(), List.of());
	}

	/** Session ids end up in URLs ({@code /admin/v1/sessions/{id}/revoke}): no separators or escapes. */
	public static boolean isValidSession(String session) {
		return isPrintable(session) && session.indexOf('/') < 0 && session.indexOf(';') < 0
				&& session.indexOf('\\') < 0 && session.indexOf('%') < 0;
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

	static boolean isPrintable(String text) {
		return text.chars().allMatch((c) -> c >= 0x20 && !(c >= 0x7f && c <= 0x9f));
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
