package io.gitwarden.refusal;

import org.springframework.util.unit.DataSize;

/** Sizes in refusal messages, written as people write them in properties. */
public final class DataSizes {

	private DataSizes() {
	}

	/** {@code 2GB}, {@code 512MB}, {@code 100KB}, {@code 1000B}: the largest unit that divides the size. */
	public static String format(DataSize size) {
		long bytes = size.toBytes();
		if (bytes >= DataSize.ofGigabytes(1).toBytes() && bytes % DataSize.ofGigabytes(1).toBytes() == 0) {
			return size.toGigabytes() + "GB";
		}
		if (bytes >= DataSize.ofMegabytes(1).toBytes() && bytes % DataSize.ofMegabytes(1).toBytes() == 0) {
			return size.toMegabytes() + "MB";
		}
		if (bytes >= DataSize.ofKilobytes(1).toBytes() && bytes % DataSize.ofKilobytes(1).toBytes() == 0) {
			return size.toKilobytes() + "KB";
		}
		return bytes + "B";
	}

}
