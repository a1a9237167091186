package io.gitwarden.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.gitwarden.inspect.ContentPolicyProperties;
import io.gitwarden.inspect.PushInspection;
import io.gitwarden.inspect.PushInspector;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.internal.storage.pack.PackWriter;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.eclipse.jgit.transport.RefSpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Cost of inspecting a small push on a warm mirror, what every push pays: create the quarantine, parse a
 * thin pack of one commit changing 10 files of a few KiB, find the new commit, diff it, scan the new
 * blobs, check for unreferenced objects, discard the quarantine. The mirror holds {@code files} files
 * (in directories of 50) and a workflow.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PushInspectorBenchmark {

	@Param({ "200", "5000" })
	public int files;

	private Path dir;

	private Repository mirror;

	private byte[] pack;

	private List<ReceiveCommand> commands;

	private PushInspector inspector;

	@Setup(Level.Trial)
	public void setUp() throws IOException, GitAPIException {
		this.dir = Files.createTempDirectory("inspect-bench");
		Path mirrorDir = this.dir.resolve("mirror.git");
		Git.init().setBare(true).setDirectory(mirrorDir.toFile()).call().close();
		Random random = new Random(this.files);
		try (Git client = Git.init().setDirectory(this.dir.resolve("client").toFile()).setInitialBranch("main").call()) {
			Path work = client.getRepository().getWorkTree().toPath();
			write(work.resolve(".github/workflows/ci.yml"), "name: ci\non: [push]\n");
			for (int i = 0; i < this.files; i++) {
				write(work.resolve("src/dir" + (i / 50) + "/File" + i + ".java"), source(random, 40));
			}
			client.add().addFilepattern(".").call();
			RevCommit base = client.commit().setMessage("base").setAuthor("Agent", "agent@example.invalid").call();
			client.push().setRemote(mirrorDir.toUri().toString()).setRefSpecs(new RefSpec("main:main")).call();
			for (int i = 0; i < 10; i++) {
				write(work.resolve("src/dir" + i + "/File" + (i * 50) + ".java"), source(random, 60));
			}
			client.add().addFilepattern(".").call();
			RevCommit tip = client.commit().setMessage("ten files").setAuthor("Agent", "agent@example.invalid").call();
			// the pack git push sends: thin, everything the mirror lacks
			try (PackWriter writer = new PackWriter(client.getRepository())) {
				writer.setThin(true);
				writer.setUseCachedPacks(false);
				writer.preparePack(NullProgressMonitor.INSTANCE, Set.of(tip.getId()), Set.<ObjectId>of(base.getId()));
				ByteArrayOutputStream out = new ByteArrayOutputStream();
				writer.writePack(NullProgressMonitor.INSTANCE, NullProgressMonitor.INSTANCE, out);
				this.pack = out.toByteArray();
			}
			this.commands = List.of(new ReceiveCommand(base.getId(), tip.getId(), "refs/heads/main"));
		}
		this.mirror = new FileRepositoryBuilder().setGitDir(mirrorDir.toFile()).setMustExist(true).build();
		this.inspector = new PushInspector(ContentPolicyProperties.defaults());
		try (PushInspection inspection = inspect()) {
			if (!inspection.isAllowed() || inspection.stats().blobsScanned() != 10) {
				throw new IllegalStateException("unexpected " + inspection + " " + inspection.findings());
			}
		}
	}

	@Benchmark
	public PushInspection inspectSmallPush() {
		try (PushInspection inspection = inspect()) {
			return inspection;
		}
	}

	private PushInspection inspect() {
		return this.inspector.inspect(this.mirror, this.commands, new ByteArrayInputStream(this.pack));
	}

	@TearDown(Level.Trial)
	public void tearDown() throws IOException {
		this.mirror.close();
		try (Stream<Path> walk = Files.walk(this.dir)) {
			walk.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
	}

	private static void write(Path file, String content) throws IOException {
		Files.createDirectories(file.getParent());
		Files.writeString(file, content, StandardCharsets.UTF_8);
	}

	private static String source(Random random, int lines) {
		StringBuilder sb = new StringBuilder("package demo;\n\npublic class X {\n");
		for (int i = 0; i < lines; i++) {
			sb.append("\tint field").append(i).append(" = ").append(random.nextInt()).append("; // value ")
				.append(Long.toHexString(random.nextLong())).append('\n');
		}
		return sb.append("}\n").toString();
	}

}
