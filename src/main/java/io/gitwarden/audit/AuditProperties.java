package io.gitwarden.audit;

import java.nio.file.Path;

import io.gitwarden.config.Settings;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Where and how audit events are written ({@code warden.audit.*}).
 *
 * @param file the JSON-lines file (default {@code ./data/audit.jsonl}); {@code /dev/stdout} writes to the
 * process's standard output, and any other path that is not a regular file (a FIFO, {@code /dev/stderr})
 * is appended to without rotation or reading back
 * @param maxFileSize size at which the file is rotated (default 100MB)
 * @param maxFiles rotated files kept, {@code FILE.1} (newest) to {@code FILE.<maxFiles>} (default 10)
 * @param fsync force every line to the storage device before the request completes (default false:
 * lines reach the operating system at once and survive a crash of the JVM, not of the machine)
 * @param queryMaxBytes most bytes of events in one answer of the admin audit query (default 4MB); the
 * answer then ends early with a cursor to continue
 */
@ConfigurationProperties("warden.audit")
public record AuditProperties(@DefaultValue("./data/audit.jsonl") Path file,
		@DefaultValue("100MB") DataSize maxFileSize, @DefaultValue("10") int maxFiles,
		@DefaultValue("false") boolean fsync, @DefaultValue("4MB") DataSize queryMaxBytes) {

	/** Smallest rotation size accepted: a line must fit many times over. */
	static final DataSize MIN_FILE_SIZE = DataSize.ofKilobytes(64);

	public AuditProperties {
		Settings.between("warden.audit.max-files", maxFiles, 1, 1000);
		if (maxFileSize.compareTo(MIN_FILE_SIZE) < 0) {
			throw new IllegalArgumentException("warden.audit.max-file-size must be at least " + MIN_FILE_SIZE);
		}
		if (queryMaxBytes.compareTo(MIN_FILE_SIZE) < 0) {
			throw new IllegalArgumentException("warden.audit.query-max-bytes must be at least " + MIN_FILE_SIZE);
		}
	}

}
