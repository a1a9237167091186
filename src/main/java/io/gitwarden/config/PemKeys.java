package io.gitwarden.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.boot.ssl.pem.PemContent;

/**
 * Reads PEM keys from configuration: a property holds either the PEM text itself or {@code file:<path>}.
 * Private keys are read by Spring Boot's {@link PemContent}: PKCS#8 ({@code BEGIN PRIVATE KEY}: RSA, EC,
 * Ed25519), encrypted PKCS#8 ({@code BEGIN ENCRYPTED PRIVATE KEY}, with a password), PKCS#1
 * ({@code BEGIN RSA PRIVATE KEY}, what GitHub hands out for an App) and SEC1 ({@code BEGIN EC PRIVATE KEY},
 * what {@code openssl ecparam -genkey} writes). Public keys, which {@link PemContent} does not read, may be
 * X.509 SubjectPublicKeyInfo ({@code BEGIN PUBLIC KEY}) or a certificate. Errors name the property, never
 * the key material or the password.
 */
public final class PemKeys {

	/** Suffix of the property that holds the password of an encrypted key, e.g. {@code warden.issuer.private-key-password}. */
	public static final String PASSWORD_SUFFIX = "-password";

	private static final String FILE_PREFIX = "file:";

	private static final Pattern BEGIN = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----");

	private static final Pattern BLOCK = Pattern
		.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");

	private static final List<String> PRIVATE_KEY_TYPES = List.of("PRIVATE KEY", "ENCRYPTED PRIVATE KEY",
			"RSA PRIVATE KEY", "EC PRIVATE KEY");

	private static final List<String> PUBLIC_KEY_TYPES = List.of("PUBLIC KEY", "CERTIFICATE");

	private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519");

	private PemKeys() {
	}

	/**
	 * Reads an unencrypted private key.
	 * @param property the property name, for error messages
	 * @param value PEM text or {@code file:<path>}
	 * @throws InvalidConfigurationException when the value is not a readable private key
	 */
	public static PrivateKey privateKey(String property, String value) {
		return privateKey(property, value, null);
	}

	/**
	 * Reads a private key, decrypting it when it is an encrypted PKCS#8 key.
	 * @param property the property name, for error messages; its password is expected in
	 * {@code property + "-password"}
	 * @param value PEM text or {@code file:<path>}
	 * @param password the password of an encrypted key, or {@code null}
	 * @throws InvalidConfigurationException when the value is not a readable private key
	 */
	public static PrivateKey privateKey(String property, String value, String password) {
		String text = read(property, value);
		String type = blockType(property, text, PRIVATE_KEY_TYPES);
		if (!PRIVATE_KEY_TYPES.contains(type)) {
			throw new InvalidConfigurationException(property, "expected a PEM private key (BEGIN PRIVATE KEY, "
					+ "BEGIN ENCRYPTED PRIVATE KEY, BEGIN RSA PRIVATE KEY or BEGIN EC PRIVATE KEY), found BEGIN " + type);
		}
		boolean encrypted = "ENCRYPTED PRIVATE KEY".equals(type);
		if (encrypted && (password == null || password.isEmpty())) {
			throw new InvalidConfigurationException(property + PASSWORD_SUFFIX,
					"the private key in " + property + " is encrypted; set its password");
		}
		try {
			PrivateKey key = PemContent.of(text).getPrivateKey(encrypted ? password : null);
			if (key != null) {
				return key;
			}
		}
		catch (RuntimeException ex) {
			// Boot's message may quote parser details; ours names the property only.
			if (encrypted) {
				throw new InvalidConfigurationException(property + PASSWORD_SUFFIX,
						"cannot decrypt the private key in " + property + " (wrong password, or an unsupported cipher)");
			}
		}
		throw new InvalidConfigurationException(property, "not a readable RSA, EC or Ed25519 private key (BEGIN " + type
				+ ")");
	}

	/**
	 * Reads a public key.
	 * @param property the property name, for error messages
	 * @param value PEM text ({@code BEGIN PUBLIC KEY} or {@code BEGIN CERTIFICATE}) or {@code file:<path>}
	 * @throws InvalidConfigurationException when the value is not a readable public key
	 */
	public static PublicKey publicKey(String property, String value) {
		String text = read(property, value);
		String type = blockType(property, text, PUBLIC_KEY_TYPES);
		if ("CERTIFICATE".equals(type)) {
			try {
				List<X509Certificate> certificates = PemContent.of(text).getCertificates();
				if (certificates != null && !certificates.isEmpty()) {
					return certificates.get(0).getPublicKey();
				}
			}
			catch (RuntimeException ex) {
				// reported below
			}
			throw new InvalidConfigurationException(property, "not a readable X.509 certificate");
		}
		if (!"PUBLIC KEY".equals(type)) {
			throw new InvalidConfigurationException(property,
					"expected a PEM public key (BEGIN PUBLIC KEY or BEGIN CERTIFICATE), found BEGIN " + type);
		}
		Matcher block = BLOCK.matcher(text);
		boolean found = block.find();
		while (found && !"PUBLIC KEY".equals(block.group(1))) {
			found = block.find();
		}
		if (!found) {
			throw new InvalidConfigurationException(property, "the PEM block has no matching END line");
		}
		byte[] der;
		try {
			der = Base64.getMimeDecoder().decode(block.group(2));
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidConfigurationException(property, "the PEM block is not valid base64");
		}
		// A SubjectPublicKeyInfo names its algorithm only by OID: the first key factory that accepts it wins.
		for (String algorithm : KEY_ALGORITHMS) {
			try {
				return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
			}
			catch (InvalidKeySpecException ex) {
				// not this algorithm; try the next
			}
			catch (GeneralSecurityException ex) {
				throw new IllegalStateException("JDK lacks the " + algorithm + " key factory", ex);
			}
		}
		throw new InvalidConfigurationException(property, "not an RSA, EC or Ed25519 public key");
	}

	/** The type of the first PEM block, or of the first one among {@code preferred}, e.g. after {@code EC PARAMETERS}. */
	private static String blockType(String property, String text, List<String> preferred) {
		Matcher begin = BEGIN.matcher(text);
		if (!PemContent.isPresentInText(text) || !begin.find()) {
			throw new InvalidConfigurationException(property,
					"not PEM text (-----BEGIN ...----- ... -----END ...-----) or file:<path> of a PEM file");
		}
		String first = begin.group(1);
		do {
			if (preferred.contains(begin.group(1))) {
				return begin.group(1);
			}
		}
		while (begin.find());
		return first;
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

}
