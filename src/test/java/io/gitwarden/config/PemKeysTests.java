package io.gitwarden.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class PemKeysTests {

	private static final KeyPair RSA = TestKeys.rsa();

	@Test
	void readsPkcs8PrivateKeysOfEveryType() {
		for (KeyPair pair : new KeyPair[] { RSA, TestKeys.ec("secp256r1"), TestKeys.ec("secp384r1"),
				TestKeys.ed25519() }) {
			assertThat(PemKeys.privateKey("p", TestKeys.pkcs8Pem(pair)).getEncoded())
				.isEqualTo(pair.getPrivate().getEncoded());
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
	void readsKeyFromFileAndFromFlattenedNewlines(@TempDir Path dir) throws Exception {
		Path file = dir.resolve("key.pem");
		Files.writeString(file, TestKeys.pkcs1Pem(RSA));
		assertThat(PemKeys.privateKey("p", "file:" + file)).isEqualTo(RSA.getPrivate());
		assertThat(PemKeys.publicKey("p", TestKeys.publicPem(RSA).replace("\n", "\\n"))).isEqualTo(RSA.getPublic());
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
			.isThrownBy(() -> PemKeys.privateKey("warden.x", "not a key"))
			.withMessageContaining("warden.x");
		assertThatExceptionOfType(InvalidConfigurationException.class)
			.isThrownBy(() -> PemKeys.privateKey("warden.x", "file:" + dir.resolve("missing.pem")))
			.withMessageContaining("cannot read");
		String corrupted = privatePem.replace("-----BEGIN PRIVATE KEY-----\n", "-----BEGIN PRIVATE KEY-----\nAAAA");
		assertThatExceptionOfType(InvalidConfigurationException.class)
			.isThrownBy(() -> PemKeys.privateKey("warden.x", corrupted))
			.withMessageContaining("not an RSA, EC or Ed25519 private key");
	}

}
