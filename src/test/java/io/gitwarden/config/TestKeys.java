package io.gitwarden.config;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;

import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.PBEParameterSpec;

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

	/**
	 * {@code BEGIN EC PRIVATE KEY} (SEC1, RFC 5915), as {@code openssl ecparam -genkey} writes it: version 1,
	 * the private scalar, the named curve and the public point.
	 * @param curveOid DER of the named curve's OID (without tag and length), see {@link #P256} and {@link #P384}
	 */
	public static String sec1Pem(KeyPair ec, byte[] curveOid) {
		ECPrivateKey key = (ECPrivateKey) ec.getPrivate();
		ECPublicKey pub = (ECPublicKey) ec.getPublic();
		int size = (key.getParams().getCurve().getField().getFieldSize() + 7) / 8;
		byte[] point = concat(new byte[] { 0x04 }, unsigned(pub.getW().getAffineX(), size),
				unsigned(pub.getW().getAffineY(), size));
		byte[] sec1 = der(0x30, der(0x02, new byte[] { 1 }), der(0x04, unsigned(key.getS(), size)),
				der(0xa0, der(0x06, curveOid)), der(0xa1, der(0x03, concat(new byte[] { 0 }, point))));
		return pem("EC PRIVATE KEY", sec1);
	}

	/** OID 1.2.840.10045.3.1.7 (P-256), DER contents. */
	public static final byte[] P256 = { 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x03, 0x01, 0x07 };

	/** OID 1.3.132.0.34 (P-384), DER contents. */
	public static final byte[] P384 = { 0x2b, (byte) 0x81, 0x04, 0x00, 0x22 };

	/** OID 1.2.840.113549.1.5.13 (PBES2), DER contents. */
	private static final byte[] PBES2 = { 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x05, 0x0d };

	/** {@code BEGIN ENCRYPTED PRIVATE KEY}: PKCS#8 encrypted with PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC). */
	public static String encryptedPkcs8Pem(KeyPair pair, String password) {
		try {
			byte[] salt = new byte[16];
			byte[] iv = new byte[16];
			SecureRandom random = new SecureRandom();
			random.nextBytes(salt);
			random.nextBytes(iv);
			String algorithm = "PBEWithHmacSHA256AndAES_256";
			Cipher cipher = Cipher.getInstance(algorithm);
			cipher.init(Cipher.ENCRYPT_MODE,
					SecretKeyFactory.getInstance(algorithm).generateSecret(new PBEKeySpec(password.toCharArray())),
					new PBEParameterSpec(salt, 10_000, new IvParameterSpec(iv)));
			byte[] encrypted = cipher.doFinal(pair.getPrivate().getEncoded());
			// EncryptedPrivateKeyInfo { AlgorithmIdentifier { PBES2, parameters }, encryptedData } (RFC 5958, 8018):
			// written by hand because JDK 17's EncryptedPrivateKeyInfo cannot name PBES2 from its parameters.
			byte[] info = der(0x30, der(0x30, der(0x06, PBES2), cipher.getParameters().getEncoded()),
					der(0x04, encrypted));
			new EncryptedPrivateKeyInfo(info);
			return pem("ENCRYPTED PRIVATE KEY", info);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** {@code BEGIN PUBLIC KEY} (X.509 SubjectPublicKeyInfo). */
	public static String publicPem(KeyPair pair) {
		return pem("PUBLIC KEY", pair.getPublic().getEncoded());
	}

	private static String pem(String type, byte[] der) {
		return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] { '\n' }).encodeToString(der)
				+ "\n-----END " + type + "-----\n";
	}

	private static byte[] unsigned(BigInteger value, int size) {
		byte[] bytes = value.toByteArray();
		byte[] fixed = new byte[size];
		int length = Math.min(bytes.length, size);
		System.arraycopy(bytes, bytes.length - length, fixed, size - length, length);
		return fixed;
	}

	private static byte[] der(int tag, byte[]... contents) {
		byte[] body = concat(contents);
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.write(tag);
		if (body.length < 0x80) {
			out.write(body.length);
		}
		else if (body.length < 0x100) {
			out.write(0x81);
			out.write(body.length);
		}
		else {
			out.write(0x82);
			out.write(body.length >> 8);
			out.write(body.length & 0xff);
		}
		out.writeBytes(body);
		return out.toByteArray();
	}

	private static byte[] concat(byte[]... parts) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (byte[] part : parts) {
			out.writeBytes(part);
		}
		return out.toByteArray();
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
