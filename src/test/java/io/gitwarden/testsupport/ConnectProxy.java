package io.gitwarden.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntSupplier;

/**
 * An HTTP {@code CONNECT} proxy on loopback that tunnels every connection to one local port, whatever host
 * the client named. It lets {@code gh} and {@code git} reach git-warden as {@code https://git-warden.test}
 * (port 443, as in a real sandbox: {@code gh} drops the port of a git remote's URL) while git-warden listens on
 * a random loopback port: both clients honour {@code HTTPS_PROXY} for a name that is not loopback. Records
 * the {@code CONNECT} targets asked for.
 */
public final class ConnectProxy implements AutoCloseable {

	private final ServerSocket server;

	private final IntSupplier targetPort;

	private final ExecutorService threads = Executors.newCachedThreadPool((runnable) -> {
		Thread thread = new Thread(runnable, "connect-proxy");
		thread.setDaemon(true);
		return thread;
	});

	private final List<String> targets = new CopyOnWriteArrayList<>();

	private ConnectProxy(ServerSocket server, IntSupplier targetPort) {
		this.server = server;
		this.targetPort = targetPort;
	}

	/** Starts a proxy that tunnels to {@code 127.0.0.1:<targetPort>}, the port read at each connection. */
	public static ConnectProxy start(IntSupplier targetPort) throws IOException {
		ServerSocket server = new ServerSocket();
		server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
		ConnectProxy proxy = new ConnectProxy(server, targetPort);
		proxy.threads.execute(proxy::accept);
		return proxy;
	}

	/** {@code http://127.0.0.1:<port>}, for {@code HTTPS_PROXY}. */
	public String url() {
		return "http://127.0.0.1:" + this.server.getLocalPort();
	}

	/** The {@code host:port} of every {@code CONNECT} so far. */
	public List<String> targets() {
		return List.copyOf(this.targets);
	}

	private void accept() {
		while (!this.server.isClosed()) {
			try {
				Socket client = this.server.accept();
				this.threads.execute(() -> tunnel(client));
			}
			catch (IOException ex) {
				return;
			}
		}
	}

	private void tunnel(Socket client) {
		try (client; Socket upstream = new Socket(InetAddress.getLoopbackAddress(), this.targetPort.getAsInt())) {
			InputStream in = client.getInputStream();
			String requestLine = readLine(in);
			for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
				// headers of the CONNECT request: nothing to keep
			}
			if (requestLine == null || !requestLine.startsWith("CONNECT ")) {
				client.getOutputStream().write("HTTP/1.1 405 Method Not Allowed\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
				return;
			}
			this.targets.add(requestLine.split(" ")[1]);
			client.getOutputStream().write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			client.getOutputStream().flush();
			var back = this.threads.submit(() -> pipe(upstream.getInputStream(), client.getOutputStream(), client));
			pipe(in, upstream.getOutputStream(), upstream);
			back.get();
		}
		catch (Exception ex) {
			// a client or git-warden closed the tunnel
		}
	}

	private static Void pipe(InputStream from, OutputStream to, Socket target) throws IOException {
		byte[] buffer = new byte[16 * 1024];
		try {
			for (int n = from.read(buffer); n >= 0; n = from.read(buffer)) {
				to.write(buffer, 0, n);
				to.flush();
			}
		}
		finally {
			target.shutdownOutput();
		}
		return null;
	}

	private static String readLine(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		for (int b = in.read(); b != '\n'; b = in.read()) {
			if (b < 0) {
				return (line.size() == 0) ? null : line.toString(StandardCharsets.ISO_8859_1);
			}
			if (b != '\r') {
				line.write(b);
			}
		}
		return line.toString(StandardCharsets.ISO_8859_1);
	}

	@Override
	public void close() throws IOException {
		this.server.close();
		this.threads.shutdownNow();
	}

}
