package io.gitwarden.inspect;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Random;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;

/**
 * Writes a large pack straight to disk, as fast as the disk takes it and without holding any object in
 * memory: {@code blobs} blobs of {@code blobSize} bytes (the first {@code binaryBlobs} random binary, the
 * others text), one tree listing them and a root commit. Objects are stored (deflate level 0), which JGit
 * reads like any pack.
 */
final class SyntheticPack {

	private SyntheticPack() {
	}

	/** @return the id of the commit */
	static ObjectId write(Path file, int blobs, int binaryBlobs, int blobSize) throws IOException {
		MessageDigest packDigest = sha1();
		byte[] text = textChunk(1 << 20);
		byte[] noise = new byte[1 << 20];
		new Random(blobs).nextBytes(noise);
		ByteArrayOutputStream tree = new ByteArrayOutputStream();
		try (OutputStream raw = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
				DigestOutputStream out = new DigestOutputStream(raw, packDigest)) {
			out.write(new byte[] { 'P', 'A', 'C', 'K', 0, 0, 0, 2 });
			writeInt(out, blobs + 2);
			for (int b = 0; b < blobs; b++) {
				boolean binary = b < binaryBlobs;
				MessageDigest id = sha1();
				id.update(Constants.encodedTypeString(Constants.OBJ_BLOB));
				id.update((" " + blobSize).getBytes(StandardCharsets.US_ASCII));
				id.update((byte) 0);
				header(out, Constants.OBJ_BLOB, blobSize);
				Deflater deflater = new Deflater(Deflater.NO_COMPRESSION);
				DeflaterOutputStream zip = new DeflaterOutputStream(new NonClosing(out), deflater, 1 << 16);
				byte[] unique = ((binary ? "\0" : "") + "blob " + b + "\n").getBytes(StandardCharsets.US_ASCII);
				id.update(unique);
				zip.write(unique);
				// distinct blobs from one chunk each: the first line differs, the rest is copied
				byte[] source = binary ? noise : text;
				long left = blobSize - unique.length;
				int offset = (b * 7919) % source.length;
				while (left > 0) {
					int n = (int) Math.min(source.length - offset, left);
					id.update(source, offset, n);
					zip.write(source, offset, n);
					left -= n;
					offset = 0;
				}
				zip.finish();
				deflater.end();
				String name = String.format("blob-%05d%s", b, binary ? ".bin" : ".txt");
				tree.write(("100644 " + name).getBytes(StandardCharsets.US_ASCII));
				tree.write(0);
				tree.write(id.digest());
			}
			ObjectId treeId = whole(out, Constants.OBJ_TREE, tree.toByteArray());
			String commit = "tree " + treeId.name() + "\nauthor Agent <agent@example.invalid> 1700000000 +0000\n"
					+ "committer Agent <agent@example.invalid> 1700000000 +0000\n\nlarge push\n";
			ObjectId commitId = whole(out, Constants.OBJ_COMMIT, commit.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			raw.write(packDigest.digest());
			return commitId;
		}
	}

	private static ObjectId whole(OutputStream out, int type, byte[] content) throws IOException {
		header(out, type, content.length);
		Deflater deflater = new Deflater(Deflater.BEST_SPEED);
		try (DeflaterOutputStream zip = new DeflaterOutputStream(new NonClosing(out), deflater)) {
			zip.write(content);
		}
		deflater.end();
		MessageDigest id = sha1();
		id.update(Constants.encodedTypeString(type));
		id.update((" " + content.length).getBytes(StandardCharsets.US_ASCII));
		id.update((byte) 0);
		id.update(content);
		return ObjectId.fromRaw(id.digest());
	}

	private static void header(OutputStream out, int type, long size) throws IOException {
		int c = (type << 4) | (int) (size & 15);
		size >>>= 4;
		while (size != 0) {
			out.write(c | 0x80);
			c = (int) (size & 0x7f);
			size >>>= 7;
		}
		out.write(c);
	}

	private static void writeInt(OutputStream out, int value) throws IOException {
		out.write(value >>> 24);
		out.write(value >>> 16);
		out.write(value >>> 8);
		out.write(value);
	}

	/** Ordinary text, a power of two long. */
	private static byte[] textChunk(int size) {
		FakeSecrets fake = new FakeSecrets(size);
		StringBuilder sb = new StringBuilder(size + 1024);
		while (sb.length() < size) {
			sb.append(fake.ordinaryText(100));
		}
		return sb.substring(0, size).getBytes(StandardCharsets.ISO_8859_1);
	}

	private static MessageDigest sha1() {
		try {
			return MessageDigest.getInstance("SHA-1");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Lets a deflater stream finish without closing the pack. */
	private static final class NonClosing extends java.io.FilterOutputStream {

		NonClosing(OutputStream out) {
			super(out);
		}

		@Override
		public void write(byte[] b, int off, int len) throws IOException {
			this.out.write(b, off, len);
		}

		@Override
		public void close() throws IOException {
			flush();
		}

	}

}
