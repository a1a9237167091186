package io.gitwarden.upstream;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * HttpClient shuts its connection pool when an {@link Error} passes through a request (HTTPCLIENT-1924); the
 * upstream client must not stay cut off from the upstream after that: the next request gets a new client.
 */
class UpstreamClientRecoveryTests {

	HttpServer server;

	final AtomicInteger clientsMade = new AtomicInteger();

	@BeforeEach
	void start() throws IOException {
		this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		this.server.createContext("/", (exchange) -> {
			exchange.getRequestBody().readAllBytes();
			byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
			exchange.sendResponseHeaders(200, body.length);
			exchange.getResponseBody().write(body);
			exchange.close();
		});
		this.server.start();
	}

	@AfterEach
	void stop() {
		this.server.stop(0);
	}

	UpstreamClient.Pooled newClient() {
		this.clientsMade.incrementAndGet();
		PoolingHttpClientConnectionManager connections = PoolingHttpClientConnectionManagerBuilder.create().build();
		return new UpstreamClient.Pooled(
				HttpClients.custom().setConnectionManager(connections).disableAutomaticRetries().build(),
				connections::isClosed);
	}

	ForwardRequest post(ForwardRequest.Body body) {
		URI uri = URI.create("http://127.0.0.1:" + this.server.getAddress().getPort() + "/repo.git/git-upload-pack");
		return new ForwardRequest("POST", uri, Map.of("Content-Type", "application/x-git-upload-pack-request"), body);
	}

	@Test
	void anErrorInARequestDoesNotCutTheNextOnesOffTheUpstream() throws IOException {
		try (UpstreamClient client = new UpstreamClient(this::newClient)) {
			try (UpstreamResponse response = client.exchange(post(ForwardRequest.Body.of(new byte[] { '0', '0', '0', '0' })))) {
				assertThat(response.status()).isEqualTo(200);
			}
			ForwardRequest.Body exhausted = new ForwardRequest.Body() {
				@Override
				public long length() {
					return 4;
				}

				@Override
				public void writeTo(OutputStream out) {
					throw new OutOfMemoryError("Java heap space (simulated)");
				}
			};
			assertThatThrownBy(() -> client.exchange(post(exhausted))).isInstanceOf(OutOfMemoryError.class);

			for (int i = 0; i < 3; i++) {
				try (UpstreamResponse response = client.exchange(post(ForwardRequest.Body.of(new byte[] { '0', '0', '0', '0' })))) {
					assertThat(response.status()).isEqualTo(200);
					assertThat(response.body().readAllBytes()).asString(StandardCharsets.UTF_8).isEqualTo("ok");
				}
			}
			assertThat(this.clientsMade).as("clients made: the first, and one after the error").hasValue(2);
		}
	}

}
