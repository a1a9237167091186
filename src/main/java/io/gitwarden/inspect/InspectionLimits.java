package io.gitwarden.inspect;

import org.springframework.util.unit.DataSize;

/**
 * Bounds on the work of one inspection. A push over a limit cannot be inspected and is refused
 * ({@link PushInspection.Outcome#CANNOT_INSPECT}).
 *
 * @param maxPackBytes largest pack stream read (default 2 GiB, GitHub's own push limit)
 * @param maxObjects most objects in a pack, as its header announces (default 1,000,000; the walks keep
 * about 100 bytes of heap per new object)
 * @param maxScanBytes most bytes of new text read for secrets per push (default 4 GiB)
 * @param maxFindings findings kept in a result (default 100; more are counted)
 * @param streamThreshold blobs larger than this are read as a stream rather than loaded whole
 * (default 1 MiB; deltas are always resolved in memory by JGit)
 */
public record InspectionLimits(long maxPackBytes, long maxObjects, long maxScanBytes, int maxFindings,
		int streamThreshold) {

	public InspectionLimits {
		if (maxPackBytes <= 0 || maxObjects <= 0 || maxScanBytes < 0 || maxFindings <= 0 || streamThreshold <= 0) {
			throw new IllegalArgumentException("inspection limits must be positive");
		}
	}

	/** The defaults. */
	public static InspectionLimits defaults() {
		return new InspectionLimits(DataSize.ofGigabytes(2).toBytes(), 1_000_000, DataSize.ofGigabytes(4).toBytes(),
				100, (int) DataSize.ofMegabytes(1).toBytes());
	}

}
