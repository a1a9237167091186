package io.gitwarden.config;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM keys from configuration, without BouncyCastle: a property holds either the PEM text itself
 * or {@code file:<path>}. Private keys may be PKCS#8 ({@code BEGIN PRIVATE KEY}: RSA, EC, Ed25519) or
 * PKCS#1 ({@code BEGIN RSA PRIVATE KEY}, what GitHub hands out for an App), which is wrapped in a PKCS#8
 * structure so the JDK can read it. Public keys may be X.509 SubjectPublicKeyInfo
 * ({@code BEGIN PUBLIC KEY}) or a certificate. Errors name the property, never the key material.
 */
public final class PemKeys {

	private static final String FILE_PREFIX = "file:";

	private static final Pattern BLOCK = Pattern
		.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");

	private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519");

	/** DER of AlgorithmIdentifier { rsaEncryption, NULL }. */
	private static final byte[] RSA_ALGORITHM_IDENTIFIER = { 0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48,
			(byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00 };

	private PemKeys() {
	}

	/**
	 * Reads a private key.
	 * @param property the property name, for error messages
	 * @param value PEM text or {@code file:<path>}
	 * @throws InvalidConfigurationException when the value is not a readable private key
	 */
	public static PrivateKey privateKey(String property, String value) {
		Block block = block(property, value);
		byte[] pkcs8 = switch (block.type()) {
			case "PRIVATE KEY" -> block.der();
			case "RSA PRIVATE KEY" -> pkcs1ToPkcs8(block.der());
			case "ENCRYPTED PRIVATE KEY" -> throw new InvalidConfigurationException(property,
					"encrypted private keys are not supported; provide an unencrypted PKCS#8 or PKCS#1 PEM key");
			default -> throw new InvalidConfigurationException(property,
					"expected a PEM private key (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY), found BEGIN "
							+ block.type());
		};
		return firstAlgorithm(property, "private key",
				(factory) -> factory.generatePrivate(new PKCS8EncodedKeySpec(pkcs8)));
	}

	/**
	 * Reads a public key.
	 * @param property the property name, for error messages
	 * @param value PEM text ({@code BEGIN PUBLIC KEY} or {@code BEGIN CERTIFICATE}) or {@code file:<path>}
	 * @throws InvalidConfigurationException when the value is not a readable public key
	 */
	public static PublicKey publicKey(String property, String value) {
		Block block = block(property, value);
		if ("CERTIFICATE".equals(block.type())) {
			try {
				return CertificateFactory.getInstance("X.509")
					.generateCertificate(new ByteArrayInputStream(block.der()))
					.getPublicKey();
			}
			catch (CertificateException ex) {
				throw new InvalidConfigurationException(property, "not a readable X.509 certificate");
			}
		}
		if (!"PUBLIC KEY".equals(block.type())) {
			throw new InvalidConfigurationException(property,
					"expected a PEM public key (BEGIN PUBLIC KEY or BEGIN CERTIFICATE), found BEGIN " + block.type());
		}
		return firstAlgorithm(property, "public key",
				(factory) -> factory.generatePublic(new X509EncodedKeySpec(block.der())));
	}

	/** Key specs do not name their algorithm: the first key factory that accepts the encoding wins. */
	private static <K> K firstAlgorithm(String property, String kind, KeyDecoder<K> decoder) {
		for (String algorithm : KEY_ALGORITHMS) {
			try {
				return decoder.decode(KeyFactory.getInstance(algorithm));
			}
			catch (InvalidKeySpecException ex) {
				// not this algorithm; try the next
			}
			catch (GeneralSecurityException ex) {
				throw new IllegalStateException("JDK lacks the " + algorithm + " key factory", ex);
			}
		}
		throw new InvalidConfigurationException(property, "not an RSA, EC or Ed25519 " + kind);
	}

	@FunctionalInterface
	private interface KeyDecoder<K> {

		K decode(KeyFactory factory) throws GeneralSecurityException;

	}

	private static Block block(String property, String value) {
		String text = read(property, value);
		Matcher matcher = BLOCK.matcher(text);
		if (!matcher.find()) {
			throw new InvalidConfigurationException(property,
					"not PEM text (-----BEGIN ...----- ... -----END ...-----) or file:<path> of a PEM file");
		}
		try {
			byte[] der = Base64.getMimeDecoder().decode(matcher.group(2));
			return new Block(matcher.group(1), der);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidConfigurationException(property, "the PEM block is not valid base64");
		}
	}

	private static String read(String property, String value) {
		if (value == null || value.isBlank()) {
			throw new InvalidConfigurationException(property, "is empty");
		}
		String trimmed = value.strip();
		if (!trimmed.startsWith(FILE_PREFIX)) {
			// Environment variables and some secret stores flatten newlines to a literal \n.
			return trimmed.replace("\\n", "\n");
		}
		Path path = Path.of(trimmed.substring(FILE_PREFIX.length()));
		try {
			return Files.readString(path, StandardCharsets.US_ASCII);
		}
		catch (IOException ex) {
			throw new InvalidConfigurationException(property, "cannot read the key file " + path);
		}
	}

	/** PrivateKeyInfo { version 0, rsaEncryption, OCTET STRING { RSAPrivateKey } } (RFC 5208). */
	static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		body.writeBytes(new byte[] { 0x02, 0x01, 0x00 });
		body.writeBytes(RSA_ALGORITHM_IDENTIFIER);
		body.writeBytes(derHeader(0x04, pkcs1.length));
		body.writeBytes(pkcs1);
		ByteArrayOutputStream sequence = new ByteArrayOutputStream();
		sequence.writeBytes(derHeader(0x30, body.size()));
		sequence.writeBytes(body.toByteArray());
		return sequence.toByteArray();
	}

	private static byte[] derHeader(int tag, int length) {
		if (length < 0x80) {
			return new byte[] { (byte) tag, (byte) length };
		}
		int bytes = (length > 0xffffff) ? 4 : (length > 0xffff) ? 3 : (length > 0xff) ? 2 : 1;
		byte[] header = new byte[2 + bytes];
		header[0] = (byte) tag;
		header[1] = (byte) (0x80 | bytes);
		for (int i = 0; i < bytes; i++) {
			header[2 + i] = (byte) (length >>> (8 * (bytes - 1 - i)));
		}
		return header;
	}

	private record Block(String type, byte[] der) {

	}

}
