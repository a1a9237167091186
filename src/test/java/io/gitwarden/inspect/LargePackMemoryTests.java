package io.gitwarden.inspect;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Memory stays flat whatever the size of the pack: a 256 MiB push (half random binary, half text, every
 * text byte scanned for secrets) is inspected in a JVM limited to a 48 MiB heap, and its resident memory
 * grows by less than 64 MiB. Holding the pack, a blob or a line in memory would fail with an
 * {@link OutOfMemoryError}.
 */
class LargePackMemoryTests {

	@TempDir
	Path tmp;

	@Test
	void a256MiBPackIsInspectedWithA48MiBHeap() throws IOException, InterruptedException {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		ProcessBuilder builder = new ProcessBuilder(java, "-Xmx48m", "-XX:+UseSerialGC", "-cp",
				System.getProperty("java.class.path"), LargePackProbe.class.getName(), this.tmp.toString(), "256")
			.redirectErrorStream(true);
		Process process = builder.start();
		byte[] output = process.getInputStream().readAllBytes();
		assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
		String text = new String(output, StandardCharsets.UTF_8);
		assertThat(process.exitValue()).as(text).isZero();
		Map<String, String> values = new HashMap<>();
		for (String line : text.split("\n")) {
			int eq = line.indexOf('=');
			if (eq > 0) {
				values.put(line.substring(0, eq), line.substring(eq + 1));
			}
		}
		assertThat(values.get("outcome")).as(text).isEqualTo("ALLOWED");
		assertThat(Long.parseLong(values.get("packBytes"))).isGreaterThan(256L << 20);
		assertThat(Long.parseLong(values.get("bytesScanned"))).isGreaterThanOrEqualTo(128L << 20);
		assertThat(values.get("promoted")).isEqualTo("true");
		assertThat(Long.parseLong(values.get("peakHeapMiB"))).isLessThanOrEqualTo(48);
		long before = Long.parseLong(values.get("rss.before"));
		if (before > 0) {
			// the bound for a 1 GiB push (measured by hand: docs/policy.md)
			assertThat(Long.parseLong(values.get("rss.peakKiB")) - before).as("RSS growth, KiB").isLessThan(64 * 1024);
		}
		System.out.println(String.join(" ", List.of(text.split("\n"))));
	}

}
