package io.gitwarden.inspect;

/**
 * What one inspection looked at (for the audit event and metrics).
 *
 * @param commitsInspected new commits (reachable from the pushed tips, not from any ref of the mirror)
 * @param blobsScanned new blobs whose content was read for secrets (binary ones included: their first
 * bytes were read)
 * @param bytesScanned bytes of blob content read for secrets
 * @param objectsReceived objects in the pack (0 without a pack)
 * @param packBytes bytes of the pack stream read
 * @param inspectMs wall time of the inspection, milliseconds
 */
public record InspectionStats(int commitsInspected, int blobsScanned, long bytesScanned, int objectsReceived,
		long packBytes, long inspectMs) {

}
