package io.gitwarden.bench;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.gitwarden.auth.AuthProperties;
import io.gitwarden.auth.JwtTokenVerifier;
import io.gitwarden.auth.SessionToken;
import io.gitwarden.auth.VerificationKeys;
import io.gitwarden.policy.Refusal;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of verifying a session JWT (HS256) on every request: a valid token, and one whose
 * signature does not verify (the rejection path an attacker can drive).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class JwtTokenVerifierBenchmark {

	private static final String SECRET = "bench-hmac-secret-0123456789abcdef-0123456789abcdef";

	private JwtTokenVerifier verifier;

	private String valid;

	private String badSignature;

	@Setup
	public void setUp() throws GeneralSecurityException {
		AuthProperties properties = new AuthProperties(SECRET, null, null, null, "git-warden", Duration.ofSeconds(30),
				Duration.ofHours(24), Duration.ofMinutes(10), Duration.ofMinutes(1), Duration.ofSeconds(5));
		byte[] secret = SECRET.getBytes(StandardCharsets.UTF_8);
		VerificationKeys keys = (header) -> new SecretKeySpec(secret, "HmacSHA256");
		this.verifier = new JwtTokenVerifier(properties, keys, Clock.systemUTC());
		long now = System.currentTimeMillis() / 1000;
		String claims = "{\"sub\":\"bench-session\",\"repo\":\"owner/name\",\"branch\":\"agent/bench\","
				+ "\"scope\":\"fetch push\",\"aud\":\"git-warden\",\"iat\":" + now + ",\"exp\":" + (now + 3600) + "}";
		this.valid = sign(claims, secret);
		this.badSignature = this.valid.substring(0, this.valid.length() - 4)
				+ (this.valid.endsWith("AAAA") ? "BBBB" : "AAAA");
		verify(); // fail fast if the token is not accepted
		try {
			this.verifier.verify(this.badSignature);
			throw new IllegalStateException("bad signature accepted");
		}
		catch (Refusal expected) {
			// as it should
		}
	}

	@Benchmark
	public SessionToken verify() {
		return this.verifier.verify(this.valid);
	}

	@Benchmark
	public Object rejectBadSignature() {
		try {
			return this.verifier.verify(this.badSignature);
		}
		catch (Refusal ex) {
			return ex;
		}
	}

	private static String sign(String claims, byte[] secret) throws GeneralSecurityException {
		Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
		String signing = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
				+ "." + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
		Mac mac = Mac.getInstance("HmacSHA256");
		mac.init(new SecretKeySpec(secret, "HmacSHA256"));
		return signing + "." + b64.encodeToString(mac.doFinal(signing.getBytes(StandardCharsets.US_ASCII)));
	}

}
