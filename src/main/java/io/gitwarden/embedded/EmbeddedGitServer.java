package io.gitwarden.embedded;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.function.Consumer;

import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.gitwarden.upstream.StaticTokenCredentials;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.eclipse.jgit.http.server.GitServlet;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.transport.resolver.FileResolver;

/**
 * A real git smart-HTTP server (JGit's {@link GitServlet} in an embedded Tomcat) on loopback, serving
 * the bare repositories under a directory and requiring {@code Basic x-access-token:<token>} like
 * GitHub, with a Git LFS server beside it ({@link EmbeddedLfsServlet}: batch API, basic transfers on a
 * storage path with per-object headers as GitHub's storage host has them, locks). It is the upstream of
 * the zero-configuration demo, and the upstream of the end-to-end tests.
 */
public final class EmbeddedGitServer implements AutoCloseable {

	private final LoopbackTomcat server;

	private EmbeddedGitServer(LoopbackTomcat server) {
		this.server = server;
	}

	/**
	 * Starts a server on {@code 127.0.0.1} and a free port.
	 * @param repositories directory holding {@code owner/name.git} bare repositories
	 * @param token the token clients must present as the Basic password of {@code x-access-token}
	 * @param receivePackCustomizer adjusts each push (for example installs a pre-receive hook)
	 */
	public static EmbeddedGitServer start(Path repositories, String token, Consumer<ReceivePack> receivePackCustomizer)
			throws IOException {
		GitServlet git = new GitServlet();
		git.setRepositoryResolver(new FileResolver<>(repositories.toFile(), true));
		git.setReceivePackFactory((request, repository) -> {
			ReceivePack receivePack = new ReceivePack(repository);
			receivePackCustomizer.accept(receivePack);
			return receivePack;
		});
		EmbeddedLfsServlet lfs = new EmbeddedLfsServlet(repositories);
		return new EmbeddedGitServer(LoopbackTomcat.start("git-warden-embedded", (context) -> {
			Tomcat.addServlet(context, "git", git);
			context.addServletMappingDecoded("/*", "git");
			Tomcat.addServlet(context, "lfs", lfs);
			context.addServletMappingDecoded(EmbeddedLfsServlet.STORAGE + "*", "lfs");
			addFilter(context, "token", requireToken(StaticTokenCredentials.basic(token)));
			addFilter(context, "lfs", lfsApi(lfs));
		}));
	}

	private static void addFilter(Context context, String name, Filter filter) {
		FilterDef definition = new FilterDef();
		definition.setFilterName(name);
		definition.setFilter(filter);
		context.addFilterDef(definition);
		FilterMap mapping = new FilterMap();
		mapping.setFilterName(name);
		mapping.addURLPattern("/*");
		context.addFilterMap(mapping);
	}

	/** The LFS API below each repository ({@code .../info/lfs/...}) goes to the LFS servlet, not to git. */
	private static Filter lfsApi(EmbeddedLfsServlet lfs) {
		return (request, response, chain) -> {
			String path = ((HttpServletRequest) request).getRequestURI();
			if (path.contains("/info/lfs/") && !path.startsWith(EmbeddedLfsServlet.STORAGE)) {
				lfs.service(request, response);
				return;
			}
			chain.doFilter(request, response);
		};
	}

	/**
	 * Where the LFS server keeps an object of a repository ({@code {repositories}/{repo}.git/lfs/objects/aa/bb/oid},
	 * git-lfs's own layout).
	 */
	public static Path lfsObject(Path repositories, String repository, String oid) {
		return EmbeddedLfsServlet.objectPath(repositories, repository, oid);
	}

	private static Filter requireToken(String expectedAuthorization) {
		byte[] expected = expectedAuthorization.getBytes(StandardCharsets.UTF_8);
		return (request, response, chain) -> {
			if (((HttpServletRequest) request).getRequestURI().startsWith(EmbeddedLfsServlet.STORAGE)) {
				// LFS storage authorizes each transfer with the header of its batch answer, not the token
				chain.doFilter(request, response);
				return;
			}
			String presented = ((HttpServletRequest) request).getHeader("Authorization");
			if (presented == null || !MessageDigest.isEqual(expected,
					presented.getBytes(StandardCharsets.UTF_8))) {
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
		return this.server.baseUrl();
	}

	@Override
	public void close() {
		this.server.close();
	}

}
