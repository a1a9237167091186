package io.gitwarden.mirror;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.gitwarden.protocol.Commits;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.PacketLineOut;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.util.FileUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationListener;

/**
 * Runs once, in a background thread started as soon as the configuration is read (so in parallel with the
 * rest of the start-up, on another core), the JGit code a first fetch through the cache needs, on two
 * throwaway repositories in the temporary directory: a fetch into a mirror-like bare repository (JGit's
 * fetch, pack parser and index writer, ref updates) and a protocol v2 fetch served from it the way
 * {@link Mirror#uploadPack} serves clients. A fresh replica loaded about 1 300 classes for its first
 * requests, and its first fetch took ~0.7 s, most of it this code running for the first time (issue 19).
 * <p>
 * Touches no mirror, no upstream and no request, so nothing is recorded; any failure only skips the
 * warm-up (logged). {@code warden.mirror.warm-up=false} turns it off. Registered in
 * {@code META-INF/spring.factories}: it must start before the application context exists.
 */
final class MirrorWarmUp implements ApplicationListener<ApplicationEnvironmentPreparedEvent> {

	private static final Logger logger = LoggerFactory.getLogger(MirrorWarmUp.class);

	@Override
	public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
		boolean enabled;
		try {
			enabled = Binder.get(event.getEnvironment()).bindOrCreate("warden.mirror", MirrorProperties.class).warmUp();
		}
		catch (RuntimeException ex) {
			return; // invalid mirror settings: the start-up reports them, naming the property
		}
		if (enabled) {
			Thread thread = new Thread(() -> warmUp(Path.of(System.getProperty("java.io.tmpdir"))), "mirror-warm-up");
			thread.setDaemon(true);
			thread.start();
		}
	}

	/**
	 * Runs the warm-up in a new directory under {@code parent}, deleted afterwards; never throws.
	 * @return how long it took, or {@code null} when it failed
	 */
	static Duration warmUp(Path parent) {
		long start = System.nanoTime();
		Path directory = null;
		try {
			directory = Files.createTempDirectory(parent, "git-warden-warm-up-");
			// made the way mirrors are (configuration included), so their creation is warmed too
			MirrorStore store = new MirrorStore(directory);
			try (Repository source = store.openOrCreate(directory.resolve("source.git"));
					Repository mirror = store.openOrCreate(directory.resolve("mirror.git"))) {
				ObjectId tip = Commits.createBranchWithFile(source, Constants.R_HEADS + "main", "README",
						"warm-up\n".getBytes(StandardCharsets.UTF_8),
						new PersonIdent("git-warden", "warm-up@git-warden.invalid"), "warm-up\n");
				try (Git git = Git.wrap(mirror)) {
					git.fetch()
						.setRemote(source.getDirectory().toURI().toString())
						.setRefSpecs(new RefSpec("+refs/heads/*:refs/heads/*"))
						.call();
				}
				long served = MirrorUploadPack.serve(mirror, new ByteArrayInputStream(fetchRequest(tip)),
						OutputStream.nullOutputStream(), "version=2");
				if (served == 0) {
					throw new IOException("the served fetch was empty");
				}
			}
			Duration took = Duration.ofNanos(System.nanoTime() - start);
			logger.debug("Mirror warm-up took {} ms", took.toMillis());
			return took;
		}
		catch (IOException | GitAPIException | RuntimeException ex) {
			logger.info("Mirror warm-up skipped: {}", ex.toString());
			return null;
		}
		finally {
			if (directory != null) {
				try {
					FileUtils.delete(directory.toFile(), FileUtils.RECURSIVE | FileUtils.SKIP_MISSING | FileUtils.RETRY);
				}
				catch (IOException ex) {
					logger.info("Mirror warm-up left {} behind: {}", directory, ex.getMessage());
				}
			}
		}
	}

	/** A protocol v2 {@code fetch} of {@code want}, as git sends it. */
	private static byte[] fetchRequest(ObjectId want) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		PacketLineOut out = new PacketLineOut(bytes);
		out.writeString("command=fetch\n");
		out.writeString("object-format=sha1\n");
		out.writeDelim();
		out.writeString("thin-pack\n");
		out.writeString("ofs-delta\n");
		out.writeString("want " + want.name() + "\n");
		out.writeString("done\n");
		out.end();
		return bytes.toByteArray();
	}

}
