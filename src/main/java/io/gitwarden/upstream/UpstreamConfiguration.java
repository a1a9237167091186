package io.gitwarden.upstream;

import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The upstream HTTP client: Apache HttpClient 5 classic (blocking, one thread per transfer, which is
 * what a streaming relay wants), pooled, with no redirects, retries, cookies, auth caching or
 * transparent decompression: bytes pass through untouched.
 */
@Configuration(proxyBeanMethods = false)
class UpstreamConfiguration {

	/**
	 * Upstream connection buffer, each direction, kept on the heap for as long as the connection is pooled.
	 * Small on purpose: HttpCore reads and writes of more than 512 bytes (the relay's copies, a push's chunks)
	 * bypass it, so it only carries headers, chunk headers and small bodies, while up to
	 * {@code warden.upstream.max-connections} pooled connections each keep two of them (16 MiB at 1000, where
	 * 32 KiB buffers took 64 MiB: half of a 128 MiB heap).
	 */
	static final int CONNECTION_BUFFER_SIZE = 8 * 1024;

	/** Largest chunk written to the upstream at once. */
	static final int CHUNK_SIZE = 64 * 1024;

	@Bean(destroyMethod = "close")
	UpstreamClient upstreamClient(UpstreamProperties properties) {
		return new UpstreamClient(() -> pooledClient(properties));
	}

	static UpstreamClient.Pooled pooledClient(UpstreamProperties properties) {
		Timeout connectTimeout = Timeout.of(properties.connectTimeout());
		Timeout readTimeout = Timeout.of(properties.readTimeout());
		PoolingHttpClientConnectionManager connections = PoolingHttpClientConnectionManagerBuilder.create()
			.setMaxConnTotal(properties.maxConnections())
			.setMaxConnPerRoute(properties.maxConnections())
			.setConnectionFactory(ManagedHttpClientConnectionFactory.builder()
				.http1Config(Http1Config.custom()
					.setBufferSize(CONNECTION_BUFFER_SIZE)
					.setChunkSizeHint(CHUNK_SIZE)
					.build())
				.build())
			.setDefaultSocketConfig(SocketConfig.custom().setTcpNoDelay(true).setSoTimeout(readTimeout).build())
			.setDefaultConnectionConfig(
					ConnectionConfig.custom().setConnectTimeout(connectTimeout).setSocketTimeout(readTimeout).build())
			.build();
		CloseableHttpClient client = HttpClients.custom()
			.setConnectionManager(connections)
			.setDefaultRequestConfig(RequestConfig.custom()
				.setConnectionRequestTimeout(connectTimeout)
				.setResponseTimeout(readTimeout)
				.setRedirectsEnabled(false)
				.setExpectContinueEnabled(false)
				.build())
			.disableRedirectHandling()
			.disableAutomaticRetries()
			.disableContentCompression()
			.disableCookieManagement()
			.disableAuthCaching()
			// Pooled connections keep their buffers: give them back after a burst.
			.evictIdleConnections(TimeValue.ofSeconds(30))
			.build();
		return new UpstreamClient.Pooled(client, connections::isClosed);
	}

}
