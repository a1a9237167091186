package io.gitwarden.web;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Socket buffers are allocated per accepted connection, off-heap: their size must leave the JVM's direct
 * memory enough for every connection Tomcat may accept (connections that never finish their headers
 * exhausted it with fixed 32 KiB buffers at {@code -Xmx128m}).
 */
class SocketBufferSizeTests {

	static final long MIB = 1024 * 1024;

	@Test
	void buffersOfEveryAcceptedConnectionFitInDirectMemory() {
		// -Xmx128m: the JVM's default direct memory is the heap's maximum (about 124 MiB)
		int size = WebConfiguration.socketBufferSize(2000, 124 * MIB);
		assertThat(size).isEqualTo(16 * 1024);
		assertThat(2000L * 2 * size).isLessThanOrEqualTo(124 * MIB * 6 / 10);
		assertThat(WebConfiguration.socketBufferSize(2000, 256 * MIB)).isEqualTo(32 * 1024);
		assertThat(WebConfiguration.socketBufferSize(2000, 4096 * MIB)).isEqualTo(WebConfiguration.MAX_SOCKET_BUFFER_SIZE);
		assertThat(WebConfiguration.socketBufferSize(100_000, 128 * MIB)).isEqualTo(WebConfiguration.MIN_SOCKET_BUFFER_SIZE);
		assertThat(WebConfiguration.socketBufferSize(-1, 128 * MIB)).isEqualTo(WebConfiguration.MIN_SOCKET_BUFFER_SIZE);
	}

	@Test
	void directMemoryIsTheConfiguredLimitOrTheHeapMaximum() {
		assertThat(WebConfiguration.maxDirectMemory()).isPositive();
	}

}
