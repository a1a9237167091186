package io.gitwarden.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.gitwarden.inspect.SecretScanner;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Secret scanning throughput on one core with the built-in detectors, over ordinary source text: this
 * repository's own sources and documentation (Java, Markdown, YAML, shell, Python), concatenated and
 * repeated to 16 MiB. The score is the time for one 16 MiB scan: {@code 16 / seconds} is MiB/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class SecretScannerBenchmark {

	/** Bytes scanned per operation. */
	public static final int SIZE = 16 << 20;

	private byte[] text;

	private SecretScanner.Session session;

	@Setup
	public void setUp() throws IOException {
		ByteArrayOutputStream corpus = new ByteArrayOutputStream();
		List<Path> files = new ArrayList<>();
		for (String root : List.of("src", "docs", "bench", "helm", "README.md")) {
			Path path = Path.of(root);
			if (Files.exists(path)) {
				try (Stream<Path> walk = Files.walk(path)) {
					walk.filter(Files::isRegularFile)
						.filter((file) -> file.toString().matches(".*\\.(java|md|ya?ml|sh|py|properties|tpl|json)"))
						.sorted()
						.forEach(files::add);
				}
			}
		}
		for (Path file : files) {
			corpus.write(Files.readAllBytes(file));
		}
		if (corpus.size() < 64 * 1024) {
			throw new IllegalStateException("run from the repository root (found " + corpus.size() + " bytes of sources)");
		}
		byte[] one = corpus.toByteArray();
		this.text = new byte[SIZE];
		for (int at = 0; at < SIZE; at += one.length) {
			System.arraycopy(one, 0, this.text, at, Math.min(one.length, SIZE - at));
		}
		this.session = SecretScanner.builtIn().newSession();
		// the corpus holds test keys (src/test): count, so that a benchmark never measures an empty scan
		SecretScanner.Scan scan = scan();
		if (scan.binary() || scan.bytes() != SIZE) {
			throw new IllegalStateException("unexpected scan " + scan);
		}
	}

	@Benchmark
	public SecretScanner.Scan scan() throws IOException {
		return this.session.scan(new ByteArrayInputStream(this.text), Long.MAX_VALUE);
	}

}
