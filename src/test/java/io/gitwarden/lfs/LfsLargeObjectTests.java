package io.gitwarden.lfs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.gitwarden.GitWardenApplication;
import io.gitwarden.embedded.EmbeddedGitServer;
import io.gitwarden.testsupport.GitCli;
import io.gitwarden.testsupport.TestRepositories;
import io.gitwarden.testsupport.Tokens;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A large LFS object pushed and cloned with git-lfs through git-warden running in a JVM of its own with
 * {@code -Xmx128m}: transfers stream, so the heap does not grow with the object. The size is
 * {@code -Dlfs.large.size} (bytes; default 256 MiB, twice the heap); the 1 GiB run of docs/lfs.md is
 * {@code ./mvnw -o test -Dtest=LfsLargeObjectTests -Dlfs.large.size=1073741824}. Prints the times and the
 * git-warden process's peak resident memory.
 */
class LfsLargeObjectTests {

	static final String UPSTREAM_TOKEN = "ghs_large-upstream-token";

	static final long SIZE = Long.getLong("lfs.large.size", 256L * 1024 * 1024);

	static final Pattern PORT = Pattern.compile("Tomcat started on port (\\d+)");

	@Test
	void largeObjectThroughWardenAtXmx128m() throws Exception {
		Path scratch = Files.createTempDirectory("warden-lfs-large");
		GitCli git = new GitCli(scratch.resolve("home"));
		git.run(scratch, "lfs", "install", "--skip-repo").assertSuccess();
		TestRepositories repositories = new TestRepositories(git, Files.createDirectories(scratch.resolve("repos")),
				scratch);
		String repo = "acme/large";
		repositories.create(repo, 1);
		try (EmbeddedGitServer upstream = EmbeddedGitServer.start(repositories.root(), UPSTREAM_TOKEN, (rp) -> {
		})) {
			Path log = scratch.resolve("warden.log");
			Process warden = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
					"-Xmx128m", "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
					GitWardenApplication.class.getName(), "--server.port=0", "--management.server.port=-1",
					"--warden.upstream.url=" + upstream.baseUrl(), "--warden.upstream.token=" + UPSTREAM_TOKEN,
					"--warden.auth.hmac-secret=" + Tokens.SECRET, "--warden.audit.file=" + scratch.resolve("audit.jsonl"),
					"--warden.lfs.max-object-size=4GB")
				.redirectErrorStream(true)
				.start();
			try {
				int port = awaitPort(warden, log);
				String token = Tokens.forRepo(repo).sign();
				String url = "http://x:" + token + "@127.0.0.1:" + port + "/" + repo + ".git";
				Path work = scratch.resolve("work");
				git.run(scratch, "clone", "-q", url, work.toString()).assertSuccess();
				git.run(work, "lfs", "track", "*.bin").assertSuccess();
				String oid = write(work.resolve("large.bin"), SIZE);
				git.run(work, "add", ".gitattributes", "large.bin").assertSuccess();
				git.run(work, "commit", "-q", "-m", "large object").assertSuccess();

				long pushStart = System.nanoTime();
				git.run(work, "push", "-q", "origin", "HEAD:agent/work").assertSuccess();
				long pushMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pushStart);
				Path stored = EmbeddedGitServer.lfsObject(repositories.root(), repo, oid);
				assertThat(Files.size(stored)).isEqualTo(SIZE);

				Path again = scratch.resolve("again");
				long cloneStart = System.nanoTime();
				git.run(scratch, "clone", "-q", "-b", "agent/work", url, again.toString()).assertSuccess();
				long cloneMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cloneStart);
				assertThat(sha256(again.resolve("large.bin"))).isEqualTo(oid);
				assertThat(Files.size(again.resolve("large.bin"))).isEqualTo(SIZE);

				assertThat(warden.isAlive()).as("git-warden still runs (no OutOfMemoryError)").isTrue();
				long peakRssKb = peakRssKb(warden.pid());
				System.out.printf("LFS large object: %d MiB through git-warden at -Xmx128m: push %d ms, clone %d ms, "
						+ "git-warden peak RSS %d MiB%n", SIZE >> 20, pushMillis, cloneMillis, peakRssKb >> 10);
				assertThat(Files.readString(log)).doesNotContain("OutOfMemoryError");
			}
			finally {
				warden.destroy();
				warden.waitFor(30, TimeUnit.SECONDS);
			}
		}
		finally {
			deleteLargeFiles(scratch);
		}
	}

	/** The port git-warden logs once it listens; its output goes on to {@code log}. */
	static int awaitPort(Process warden, Path log) throws Exception {
		CountDownLatch started = new CountDownLatch(1);
		AtomicInteger port = new AtomicInteger();
		Thread reader = new Thread(() -> {
			try (BufferedReader lines = new BufferedReader(
					new InputStreamReader(warden.getInputStream(), StandardCharsets.UTF_8));
					OutputStream out = Files.newOutputStream(log)) {
				for (String line = lines.readLine(); line != null; line = lines.readLine()) {
					out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
					out.flush();
					Matcher matcher = PORT.matcher(line);
					if (matcher.find() && port.get() == 0) {
						port.set(Integer.parseInt(matcher.group(1)));
						started.countDown();
					}
				}
			}
			catch (IOException ex) {
				// the process ended
			}
			started.countDown();
		}, "warden-output");
		reader.setDaemon(true);
		reader.start();
		assertThat(started.await(3, TimeUnit.MINUTES)).as("git-warden started").isTrue();
		assertThat(port.get()).as("git-warden's port; its output: %s", log).isPositive();
		return port.get();
	}

	/** Writes {@code size} pseudo-random bytes, streaming; returns their SHA-256. */
	static String write(Path file, long size) throws Exception {
		MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
		SplittableRandom random = new SplittableRandom(size);
		byte[] buffer = new byte[1 << 20];
		try (OutputStream out = Files.newOutputStream(file)) {
			for (long written = 0; written < size; written += buffer.length) {
				for (int i = 0; i < buffer.length; i += 8) {
					long value = random.nextLong();
					for (int j = 0; j < 8; j++) {
						buffer[i + j] = (byte) (value >>> (8 * j));
					}
				}
				int n = (int) Math.min(buffer.length, size - written);
				out.write(buffer, 0, n);
				sha256.update(buffer, 0, n);
			}
		}
		return HexFormat.of().formatHex(sha256.digest());
	}

	static String sha256(Path file) throws Exception {
		MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
		byte[] buffer = new byte[1 << 20];
		try (InputStream in = Files.newInputStream(file)) {
			for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
				sha256.update(buffer, 0, n);
			}
		}
		return HexFormat.of().formatHex(sha256.digest());
	}

	/** VmHWM of a process, in KiB. */
	static long peakRssKb(long pid) throws IOException {
		for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
			if (line.startsWith("VmHWM:")) {
				return Long.parseLong(line.replaceAll("[^0-9]", ""));
			}
		}
		throw new IllegalStateException("no VmHWM for " + pid);
	}

	/** The object exists several times over (work trees, LFS caches, the upstream): give the disk back. */
	static void deleteLargeFiles(Path scratch) throws IOException {
		List<Path> large = new ArrayList<>();
		try (var files = Files.walk(scratch)) {
			files.filter(Files::isRegularFile).filter((file) -> {
				try {
					return Files.size(file) >= 1024 * 1024;
				}
				catch (IOException ex) {
					return false;
				}
			}).forEach(large::add);
		}
		for (Path file : large) {
			Files.deleteIfExists(file);
		}
	}

}
