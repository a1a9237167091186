package io.gitwarden.config;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;

/** Key pairs generated per test run, and their PEM encodings. */
public final class TestKeys {

	private TestKeys() {
	}

	public static KeyPair rsa() {
		return generate("RSA", null);
	}

	public static KeyPair ec(String curve) {
		return generate("EC", new ECGenParameterSpec(curve));
	}

	public static KeyPair ed25519() {
		return generate("Ed25519", null);
	}

	/** {@code BEGIN PRIVATE KEY} (PKCS#8). */
	public static String pkcs8Pem(KeyPair pair) {
		return pem("PRIVATE KEY", pair.getPrivate().getEncoded());
	}

	/**
	 * {@code BEGIN RSA PRIVATE KEY} (PKCS#1), as GitHub issues App keys: the RSAPrivateKey inside the
	 * JDK's PKCS#8 encoding, which for a 2048-bit key starts at a fixed offset.
	 */
	public static String pkcs1Pem(KeyPair rsa) {
		byte[] pkcs8 = rsa.getPrivate().getEncoded();
		if (pkcs8[22] != 0x04) {
			throw new IllegalStateException("unexpected PKCS#8 layout");
		}
		return pem("RSA PRIVATE KEY", Arrays.copyOfRange(pkcs8, 26, pkcs8.length));
	}

	/** {@code BEGIN PUBLIC KEY} (X.509 SubjectPublicKeyInfo). */
	public static String publicPem(KeyPair pair) {
		return pem("PUBLIC KEY", pair.getPublic().getEncoded());
	}

	private static String pem(String type, byte[] der) {
		return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] { '\n' }).encodeToString(der)
				+ "\n-----END " + type + "-----\n";
	}

	private static KeyPair generate(String algorithm, ECGenParameterSpec spec) {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
			if (spec != null) {
				generator.initialize(spec);
			}
			else if (algorithm.equals("RSA")) {
				generator.initialize(2048);
			}
			return generator.generateKeyPair();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
