package io.gitwarden.inspect;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.ReceiveCommand;

/**
 * Inspects a large synthetic pack in a JVM of its own (started with a small {@code -Xmx} by
 * {@link LargePackMemoryTests}, or by hand): {@code LargePackProbe <dir> <MiB> [blob MiB]}. Prints the
 * outcome, the statistics, the peak heap and the peak RSS ({@code VmHWM}), one {@code key=value} per line.
 */
public final class LargePackProbe {

	private LargePackProbe() {
	}

	public static void main(String[] args) throws Exception {
		Path dir = Path.of(args[0]);
		int mib = Integer.parseInt(args[1]);
		int blobMib = (args.length > 2) ? Integer.parseInt(args[2]) : 8;
		int blobs = Math.max(1, mib / blobMib);
		Path packFile = dir.resolve("large.pack");
		long t0 = System.nanoTime();
		ObjectId commit = SyntheticPack.write(packFile, blobs, blobs / 2, blobMib << 20);
		long written = System.nanoTime();
		Path mirrorDir = dir.resolve("mirror.git");
		try (Git git = Git.init().setBare(true).setDirectory(mirrorDir.toFile()).call()) {
			Repository mirror = git.getRepository();
			PushInspector inspector = new PushInspector(ContentPolicyProperties.defaults());
			System.out.println("rss.before=" + vmHwmKib());
			try (InputStream in = Files.newInputStream(packFile);
					PushInspection inspection = inspector.inspect(mirror,
							List.of(new ReceiveCommand(ObjectId.zeroId(), commit, "refs/heads/agent/large")), in)) {
				long inspected = System.nanoTime();
				System.out.println("outcome=" + inspection.outcome());
				System.out.println("reason=" + inspection.reason().orElse(""));
				System.out.println("findings=" + inspection.findings());
				System.out.println("packBytes=" + Files.size(packFile));
				System.out.println("bytesScanned=" + inspection.stats().bytesScanned());
				System.out.println("blobsScanned=" + inspection.stats().blobsScanned());
				System.out.println("inspectMs=" + inspection.stats().inspectMs());
				System.out.println("writeMs=" + (written - t0) / 1_000_000);
				System.out.println("wallMs=" + (inspected - written) / 1_000_000);
				inspection.promote();
			}
			System.out.println("promoted=" + mirror.getObjectDatabase().has(commit));
		}
		long peakHeap = 0;
		for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
			if (pool.getType() == MemoryType.HEAP) {
				peakHeap += pool.getPeakUsage().getUsed();
			}
		}
		System.out.println("peakHeapMiB=" + (peakHeap >> 20));
		System.out.println("maxHeapMiB=" + (Runtime.getRuntime().maxMemory() >> 20));
		System.out.println("heapCommittedMiB="
				+ (ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted() >> 20));
		System.gc();
		System.out.println("heapUsedAfterGcMiB=" + (ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20));
		System.out.println("rss.peakKiB=" + vmHwmKib());
		for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
			if (line.startsWith("Rss")) {
				System.out.println("status." + line.replaceAll("\\s+", " "));
			}
		}
	}

	/** Peak resident set size of this process, KiB ({@code VmHWM}), or -1 off Linux. */
	static long vmHwmKib() throws IOException {
		Path status = Path.of("/proc/self/status");
		if (!Files.exists(status)) {
			return -1;
		}
		for (String line : Files.readAllLines(status)) {
			if (line.startsWith("VmHWM:")) {
				return Long.parseLong(line.replaceAll("[^0-9]", ""));
			}
		}
		return -1;
	}

}
