package io.gitwarden.embedded;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.function.Consumer;

import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/**
 * A bare embedded Tomcat on {@code 127.0.0.1} and a free port, for the small git servers git-warden
 * and its tests run beside the proxy (never reachable from outside the machine).
 */
public final class LoopbackTomcat implements AutoCloseable {

	private final Tomcat tomcat;

	private final URI baseUrl;

	private LoopbackTomcat(Tomcat tomcat, URI baseUrl) {
		this.tomcat = tomcat;
		this.baseUrl = baseUrl;
	}

	/**
	 * Starts a server whose root context is set up by {@code configure} (servlets, filters).
	 * @param name used for the temporary base directory
	 */
	public static LoopbackTomcat start(String name, Consumer<Context> configure) throws IOException {
		Tomcat tomcat = new Tomcat();
		tomcat.setBaseDir(Files.createTempDirectory(name).toString());
		Connector connector = new Connector();
		connector.setPort(0);
		connector.setProperty("address", "127.0.0.1");
		tomcat.getService().addConnector(connector);
		tomcat.setConnector(connector);
		configure.accept(tomcat.addContext("", null));
		try {
			tomcat.start();
		}
		catch (LifecycleException ex) {
			throw new IOException(name + " did not start", ex);
		}
		return new LoopbackTomcat(tomcat, URI.create("http://127.0.0.1:" + connector.getLocalPort()));
	}

	/** {@code http://127.0.0.1:<port>}, without a trailing slash. */
	public URI baseUrl() {
		return this.baseUrl;
	}

	@Override
	public void close() {
		try {
			this.tomcat.stop();
			this.tomcat.destroy();
		}
		catch (LifecycleException ex) {
			throw new IllegalStateException("embedded server did not stop", ex);
		}
	}

}
