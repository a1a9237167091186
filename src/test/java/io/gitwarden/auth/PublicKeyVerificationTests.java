package io.gitwarden.auth;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;

import io.gitwarden.config.TestKeys;
import io.gitwarden.policy.Permission;
import io.gitwarden.refusal.Refusal;
import io.gitwarden.refusal.RefusalReason;
import io.gitwarden.protocol.RepositoryId;
import io.gitwarden.testsupport.Tokens;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import io.jsonwebtoken.security.SecureDigestAlgorithm;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class PublicKeyVerificationTests {

	private static final KeyPair RSA = TestKeys.rsa();

	private static final KeyPair P256 = TestKeys.ec("secp256r1");

	private static final KeyPair P384 = TestKeys.ec("secp384r1");

	private static final KeyPair ED25519 = TestKeys.ed25519();

	private final AuthProperties properties = TestAuthProperties.of(null, null, Duration.ofHours(24));

	@Test
	void rsaKeyAcceptsRsAndPsAlgorithms() {
		TokenVerifier verifier = verifier(RSA);
		for (String alg : new String[] { "RS256", "RS384", "RS512", "PS256", "PS384", "PS512" }) {
			SessionToken session = verifier.verify(sign(RSA.getPrivate(), alg));
			assertThat(session.grants().get(0).repository()).isEqualTo(RepositoryId.parse("owner/repo"));
			assertThat(session.grants().get(0).permissions()).containsExactlyInAnyOrder(Permission.FETCH, Permission.PUSH);
		}
	}

	@Test
	void ecAndEd25519KeysAcceptTheirOneAlgorithm() {
		assertThat(verifier(P256).verify(sign(P256.getPrivate(), "ES256")).grants().get(0).branchPattern("agent/work")).isNotNull();
		assertThat(verifier(P384).verify(sign(P384.getPrivate(), "ES384")).grants().get(0).branchPattern("agent/work")).isNotNull();
		assertThat(verifier(ED25519).verify(sign(ED25519.getPrivate(), "EdDSA")).grants().get(0).branchPattern("agent/work")).isNotNull();
	}

	@Test
	void algorithmThatDoesNotFitTheKeyTypeIsRefused() {
		KeyPair otherP384 = TestKeys.ec("secp384r1");
		assertRefused(verifier(RSA), sign(P256.getPrivate(), "ES256"));
		assertRefused(verifier(P256), sign(RSA.getPrivate(), "RS256"));
		assertRefused(verifier(P256), sign(otherP384.getPrivate(), "ES384"));
		assertRefused(verifier(ED25519), sign(RSA.getPrivate(), "PS256"));
	}

	@Test
	void hmacTokenUsingThePublicKeyAsSecretIsRefused() {
		// The classic HS/RS confusion: the attacker knows the public key and "signs" with it as an HMAC secret.
		String withDer = Tokens.forRepo("owner/repo").builder().signWith(Keys.hmacShaKeyFor(RSA.getPublic().getEncoded()), Jwts.SIG.HS256).compact();
		String withPem = Tokens.forRepo("owner/repo")
			.builder()
			.signWith(Keys.hmacShaKeyFor(TestKeys.publicPem(RSA).getBytes(StandardCharsets.UTF_8)), Jwts.SIG.HS256)
			.compact();
		assertRefused(verifier(RSA), withDer);
		assertRefused(verifier(RSA), withPem);
		assertRefused(verifier(RSA), Tokens.forRepo("owner/repo").unsigned());
	}

	@Test
	void signatureByAnotherKeyOfTheSameTypeIsRefused() {
		assertRefused(verifier(RSA), sign(TestKeys.rsa().getPrivate(), "RS256"));
	}

	@Test
	void issuerKeyPublishesItsPublicHalfAndVerifiesWhatItSigns() {
		for (KeyPair pair : new KeyPair[] { RSA, P256, P384, ED25519 }) {
			IssuerKey key = IssuerKey.load(new IssuerProperties(TestKeys.pkcs8Pem(pair), null, null));
			assertThat(key.publicKey()).isEqualTo(pair.getPublic());
			assertThat(key.jwksJson()).contains("\"kid\":\"" + key.keyId() + "\"")
				.contains("\"alg\":\"" + key.algorithm() + "\"")
				.contains("\"use\":\"sig\"")
				.doesNotContain("\"d\"");
			SessionTokenIssuer issuer = new SessionTokenIssuer(key.privateKey(), key.algorithm(), key.keyId(),
					this.properties, Clock.systemUTC());
			String token = issuer.issue("s-1", RepositoryId.parse("owner/repo"), "agent/x", Set.of(Permission.FETCH),
					Duration.ofMinutes(5)).token();
			TokenVerifier verifier = new JwtTokenVerifier(this.properties, new IssuerVerificationKeys(key, null),
					Clock.systemUTC());
			assertThat(verifier.verify(token).session()).isEqualTo("s-1");
		}
	}

	@Test
	void issuerKeyReadsSec1AndEncryptedKeys() {
		IssuerKey sec1 = IssuerKey.load(new IssuerProperties(TestKeys.sec1Pem(P256, TestKeys.P256), null, null));
		assertThat(sec1.publicKey()).isEqualTo(P256.getPublic());
		assertThat(sec1.algorithm()).isEqualTo("ES256");
		IssuerKey encrypted = IssuerKey.load(
				new IssuerProperties(TestKeys.encryptedPkcs8Pem(ED25519, "pass phrase"), "pass phrase", null));
		assertThat(encrypted.publicKey()).isEqualTo(ED25519.getPublic());
		assertThat(encrypted.algorithm()).isEqualTo("EdDSA");
	}

	@Test
	void issuerKeyAndAnExternalKeyVerifySideBySide() {
		IssuerKey key = IssuerKey.load(new IssuerProperties(TestKeys.pkcs1Pem(RSA), null, "warden-1"));
		assertThat(key.keyId()).isEqualTo("warden-1");
		TokenVerifier verifier = new JwtTokenVerifier(this.properties,
				new IssuerVerificationKeys(key, new PublicKeyVerificationKeys(P256.getPublic())), Clock.systemUTC());
		String minted = new SessionTokenIssuer(key.privateKey(), key.algorithm(), key.keyId(), this.properties,
				Clock.systemUTC())
			.issue("minted", RepositoryId.parse("owner/repo"), null, Set.of(Permission.FETCH), Duration.ofMinutes(5))
			.token();
		assertThat(verifier.verify(minted).session()).isEqualTo("minted");
		assertThat(verifier.verify(sign(P256.getPrivate(), "ES256")).session()).isEqualTo("session-1");
		assertRefused(verifier, sign(RSA.getPrivate(), "RS256"));
	}

	@Test
	void issuerWithoutKeyCannotIssue() {
		SessionTokenIssuer issuer = new SessionTokenIssuer(null, null, null, this.properties, Clock.systemUTC());
		assertThat(issuer.canIssue()).isFalse();
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> issuer.issue("s",
				RepositoryId.parse("o/r"), null, Set.of(Permission.FETCH), Duration.ofMinutes(1)))
			.withMessageContaining("warden.issuer.private-key");
	}

	private TokenVerifier verifier(KeyPair pair) {
		return new JwtTokenVerifier(this.properties, new PublicKeyVerificationKeys(pair.getPublic()),
				Clock.systemUTC());
	}

	@SuppressWarnings("unchecked")
	static String sign(PrivateKey key, String alg) {
		return Tokens.forRepo("owner/repo")
			.builder()
			.signWith(key, (SecureDigestAlgorithm<PrivateKey, ?>) Jwts.SIG.get().forKey(alg))
			.compact();
	}

	static void assertRefused(TokenVerifier verifier, String token) {
		assertThatExceptionOfType(Refusal.class).isThrownBy(() -> verifier.verify(token))
			.satisfies((refusal) -> assertThat(refusal.reason()).isEqualTo(RefusalReason.TOKEN_INVALID));
	}

}
