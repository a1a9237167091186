package io.gitwarden.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class PemKeysTests {

	private static final KeyPair RSA = TestKeys.rsa();

	private static final KeyPair P256 = TestKeys.ec("secp256r1");

	private static final KeyPair P384 = TestKeys.ec("secp384r1");

	private static final KeyPair ED25519 = TestKeys.ed25519();

	@Test
	void readsPkcs8PrivateKeysOfEveryType() {
		for (KeyPair pair : new KeyPair[] { RSA, P256, P384, ED25519 }) {
			PrivateKey key = PemKeys.privateKey("p", TestKeys.pkcs8Pem(pair));
			assertThat(key.getEncoded()).isEqualTo(pair.getPrivate().getEncoded());
			assertSignsFor(key, pair.getPublic());
			assertThat(PemKeys.publicKey("p", TestKeys.publicPem(pair))).isEqualTo(pair.getPublic());
		}
	}

	@Test
	void readsPkcs1RsaPrivateKeyAsGitHubIssuesIt() {
		String pem = TestKeys.pkcs1Pem(RSA);
		assertThat(pem).startsWith("-----BEGIN RSA PRIVATE KEY-----");
		assertThat(PemKeys.privateKey("p", pem)).isEqualTo(RSA.getPrivate());
	}

	@Test
	void readsSec1EcPrivateKeysOnBothCurves() {
		String p256 = TestKeys.sec1Pem(P256, TestKeys.P256);
		assertThat(p256).startsWith("-----BEGIN EC PRIVATE KEY-----");
		PrivateKey key = PemKeys.privateKey("p", p256);
		assertThat(((ECPrivateKey) key).getS()).isEqualTo(((ECPrivateKey) P256.getPrivate()).getS());
		assertSignsFor(key, P256.getPublic());
		PrivateKey key384 = PemKeys.privateKey("p", TestKeys.sec1Pem(P384, TestKeys.P384));
		assertThat(((ECPrivateKey) key384).getParams().getCurve().getField().getFieldSize()).isEqualTo(384);
		assertSignsFor(key384, P384.getPublic());
	}

	@Test
	void readsEncryptedPkcs8KeysWithTheirPassword() {
		for (KeyPair pair : new KeyPair[] { RSA, P256, ED25519 }) {
			String pem = TestKeys.encryptedPkcs8Pem(pair, "correct horse");
			assertThat(pem).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
			PrivateKey key = PemKeys.privateKey("p", pem, "correct horse");
			assertThat(key.getEncoded()).isEqualTo(pair.getPrivate().getEncoded());
			assertSignsFor(key, pair.getPublic());
		}
	}

	@Test
	void encryptedKeyWithoutOrWithAWrongPasswordNamesThePasswordProperty() {
		String pem = TestKeys.encryptedPkcs8Pem(RSA, "correct horse");
		assertThatExceptionOfType(InvalidConfigurationException.class)
			.isThrownBy(() -> PemKeys.privateKey("warden.issuer.private-key", pem))
			.satisfies((ex) -> assertThat(ex.property()).isEqualTo("warden.issuer.private-key-password"))
			.withMessageContaining("is encrypted");
		assertThatExceptionOfType(InvalidConfigurationException.class)
			.isThrownBy(() -> PemKeys.privateKey("warden.issuer.private-key", pem, "battery staple"))
			.satisfies((ex) -> assertThat(ex.property()).isEqualTo("warden.issuer.private-key-password"))
			.withMessageContaining("cannot decrypt")
			.withMessageNotContaining("battery staple");
	}

	/** Keys written by OpenSSL, an encoder independent of the test's own. */
	@Test
	void readsKeysAndCertificatesWrittenByOpenssl(@TempDir Path dir) throws Exception {
		Path sec1 = dir.resolve("ec.pem");
		openssl(dir, "ecparam", "-name", "prime256v1", "-genkey", "-out", sec1.toString());
		assertThat(Files.readString(sec1)).contains("-----BEGIN EC PARAMETERS-----", "-----BEGIN EC PRIVATE KEY-----");
		Path encrypted = dir.resolve("ec-encrypted.pem");
		openssl(dir, "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", sec1.toString(), "-passout", "pass:s3cret",
				"-out", encrypted.toString());
		Path publicKey = dir.resolve("ec-public.pem");
		openssl(dir, "pkey", "-in", sec1.toString(), "-pubout", "-out", publicKey.toString());
		Path certificate = dir.resolve("ec-cert.pem");
		openssl(dir, "req", "-x509", "-new", "-key", sec1.toString(), "-subj", "/CN=git-warden-test", "-days", "1",
				"-out", certificate.toString());

		PrivateKey fromSec1 = PemKeys.privateKey("p", "file:" + sec1);
		PrivateKey fromEncrypted = PemKeys.privateKey("p", "file:" + encrypted, "s3cret");
		PublicKey fromPublic = PemKeys.publicKey("p", "file:" + publicKey);
		PublicKey fromCertificate = PemKeys.publicKey("p", "file:" + certificate);
		assertThat(((ECPrivateKey) fromEncrypted).getS()).isEqualTo(((ECPrivateKey) fromSec1).getS());
		assertThat(fromCertificate).isEqualTo(fromPublic);
		assertSignsFor(fromSec1, fromPublic);
		assertSignsFor(fromEncrypted, fromCertificate);
	}

	@Test
	void readsKeyFromFileAndFromFlattenedNewlines(@TempDir Path dir) throws Exception {
		Path file = dir.resolve("key.pem");
		Files.writeString(file, TestKeys.pkcs1Pem(RSA));
		assertThat(PemKeys.privateKey("p", "file:" + file)).isEqualTo(RSA.getPrivate());
		assertThat(PemKeys.publicKey("p", TestKeys.publicPem(RSA).replace("\n", "\\n"))).isEqualTo(RSA.getPublic());
		assertThat(PemKeys.privateKey("p", TestKeys.sec1Pem(P256, TestKeys.P256).replace("\n", "\\n")).getAlgorithm())
			.isEqualTo("EC");
	}

	@Test
	void errorsNameThePropertyButNeverTheKeyMaterial(@TempDir Path dir) {
		String privatePem = TestKeys.pkcs8Pem(RSA);
		assertThatExceptionOfType(InvalidConfigurationException.class)
			.isThrownBy(() -> PemKeys.publicKey("warden.auth.public-key", privatePem))
			.satisfies((ex) -> {
				assertThat(ex.property()).isEqualTo("warden.auth.public-key");
				assertThat(ex.getMessage()).contains("BEGIN PRIVATE KEY").doesNotContain(privatePem.substring(40, 80));
			});
		assertThatExceptionOfType(InvalidConfigurationException.class)
			.isThrownBy(() -> PemKeys.privateKey("warden.issuer.private-key", TestKeys.publicPem(RSA)))
			.withMessageContaining("found BEGIN PUBLIC KEY");
		assertThatExceptionOfType(InvalidConfigurationException.class)
			.isThrownBy(() -> PemKeys.privateKey("warden.x", "not a key"))
			.withMessageContaining("warden.x");
		assertThatExceptionOfType(InvalidConfigurationException.class)
			.isThrownBy(() -> PemKeys.privateKey("warden.x", "file:" + dir.resolve("missing.pem")))
			.withMessageContaining("cannot read");
		String corrupted = privatePem.replace("-----BEGIN PRIVATE KEY-----\n", "-----BEGIN PRIVATE KEY-----\nAAAA");
		assertThatExceptionOfType(InvalidConfigurationException.class)
			.isThrownBy(() -> PemKeys.privateKey("warden.x", corrupted))
			.withMessageContaining("not a readable RSA, EC or Ed25519 private key")
			.withMessageNotContaining(privatePem.substring(40, 80));
	}

	private static void assertSignsFor(PrivateKey privateKey, PublicKey publicKey) {
		String algorithm = switch (publicKey.getAlgorithm()) {
			case "RSA" -> "SHA256withRSA";
			case "EC" -> "SHA256withECDSA";
			default -> "Ed25519";
		};
		try {
			byte[] data = "git-warden".getBytes(StandardCharsets.UTF_8);
			Signature signer = Signature.getInstance(algorithm);
			signer.initSign(privateKey);
			signer.update(data);
			byte[] signature = signer.sign();
			Signature verifier = Signature.getInstance(algorithm);
			verifier.initVerify(publicKey);
			verifier.update(data);
			assertThat(verifier.verify(signature)).as("signature of the parsed key verifies").isTrue();
		}
		catch (GeneralSecurityException ex) {
			throw new AssertionError(ex);
		}
	}

	private static void openssl(Path dir, String... args) throws Exception {
		List<String> command = new ArrayList<>(List.of("openssl"));
		command.addAll(List.of(args));
		Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();
		assertThat(process.exitValue()).as("openssl %s: %s", String.join(" ", args), output).isZero();
	}

}
