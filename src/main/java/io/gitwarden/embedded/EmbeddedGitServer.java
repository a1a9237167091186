package io.gitwarden.embedded;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.function.Consumer;

import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.gitwarden.upstream.StaticTokenCredentials;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.eclipse.jgit.http.server.GitServlet;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.transport.resolver.FileResolver;

/**
 * A real git smart-HTTP server (JGit's {@link GitServlet} in an embedded Tomcat) on loopback, serving
 * the bare repositories under a directory and requiring {@code Basic x-access-token:<token>} like
 * GitHub. It is the upstream of the zero-configuration demo, and the upstream of the end-to-end tests.
 */
public final class EmbeddedGitServer implements AutoCloseable {

	private final Tomcat tomcat;

	private final URI baseUrl;

	private EmbeddedGitServer(Tomcat tomcat, URI baseUrl) {
		this.tomcat = tomcat;
		this.baseUrl = baseUrl;
	}

	/**
	 * Starts a server on {@code 127.0.0.1} and a free port.
	 * @param repositories directory holding {@code owner/name.git} bare repositories
	 * @param token the token clients must present as the Basic password of {@code x-access-token}
	 * @param receivePackCustomizer adjusts each push (for example installs a pre-receive hook)
	 */
	public static EmbeddedGitServer start(Path repositories, String token, Consumer<ReceivePack> receivePackCustomizer)
			throws IOException {
		Tomcat tomcat = new Tomcat();
		tomcat.setBaseDir(Files.createTempDirectory("git-warden-embedded").toString());
		Connector connector = new Connector();
		connector.setPort(0);
		connector.setProperty("address", "127.0.0.1");
		tomcat.getService().addConnector(connector);
		tomcat.setConnector(connector);
		Context context = tomcat.addContext("", null);

		GitServlet git = new GitServlet();
		git.setRepositoryResolver(new FileResolver<>(repositories.toFile(), true));
		git.setReceivePackFactory((request, repository) -> {
			ReceivePack receivePack = new ReceivePack(repository);
			receivePackCustomizer.accept(receivePack);
			return receivePack;
		});
		Tomcat.addServlet(context, "git", git);
		context.addServletMappingDecoded("/*", "git");

		FilterDef auth = new FilterDef();
		auth.setFilterName("token");
		auth.setFilter(requireToken(StaticTokenCredentials.basic(token)));
		context.addFilterDef(auth);
		FilterMap authMapping = new FilterMap();
		authMapping.setFilterName("token");
		authMapping.addURLPattern("/*");
		context.addFilterMap(authMapping);
		try {
			tomcat.start();
		}
		catch (LifecycleException ex) {
			throw new IOException("embedded git server did not start", ex);
		}
		return new EmbeddedGitServer(tomcat, URI.create("http://127.0.0.1:" + connector.getLocalPort()));
	}

	private static Filter requireToken(String expectedAuthorization) {
		byte[] expected = expectedAuthorization.getBytes(java.nio.charset.StandardCharsets.UTF_8);
		return (request, response, chain) -> {
			String presented = ((HttpServletRequest) request).getHeader("Authorization");
			if (presented == null || !MessageDigest.isEqual(expected,
					presented.getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
				HttpServletResponse http = (HttpServletResponse) response;
				http.setHeader("WWW-Authenticate", "Basic realm=\"embedded-upstream\"");
				http.sendError(HttpServletResponse.SC_UNAUTHORIZED);
				return;
			}
			chain.doFilter(request, response);
		};
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
			throw new IllegalStateException("embedded git server did not stop", ex);
		}
	}

}
