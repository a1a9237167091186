package io.gitwarden.inspect;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;

/**
 * Finds credentials in text: built-in detectors for well-known token formats (GitHub, AWS, PEM private
 * keys, Slack, Stripe, Google, GitLab, npm, signed JWTs) plus configured ones.
 * <p>
 * How it stays fast: a keyword prefilter ({@link KeywordAutomaton}, one table lookup per byte for all
 * keywords together) finds the few places where a secret could start; each rule's regular expression runs
 * only in a window around such a place. Input is read as a stream through a fixed buffer (64 KiB), so
 * memory stays bounded whatever the size of the blob and the length of its lines; line numbers are
 * counted as the buffer moves on.
 * <p>
 * What it does not scan: content with a NUL byte in its first 8 KiB is taken as binary and skipped (as
 * git does to decide whether a file is binary), which also skips UTF-16 text. Text is matched as bytes
 * (ISO-8859-1 characters), so expressions should be ASCII.
 * <p>
 * A {@link Match} carries the rule name, the line and at most the first 4 characters of the secret (fewer
 * for short secrets: a quarter of its length), never the secret itself. Instances are immutable and
 * thread-safe; a {@link Session} reuses its buffer and belongs to one thread.
 */
public final class SecretScanner {

	/** Bytes examined for a NUL to decide that content is binary. */
	public static final int BINARY_CHECK_BYTES = 8192;

	/** Most characters a match may extend beyond its keyword. */
	static final int AFTER = 1024;

	/** Most characters a match may start before its keyword (rules with a look-behind). */
	static final int BEFORE = 64;

	static final int BUFFER = 64 * 1024;

	/** Matches kept per scan (more are counted). */
	static final int MAX_MATCHES = 100;

	private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

	private static final SecretScanner BUILT_IN = new SecretScanner(BuiltInSecretRules.all());

	private final SecretRule[] rules;

	/** Rules without keywords: their expression runs over all text. */
	private final int[] scanAll;

	private final KeywordAutomaton automaton;

	SecretScanner(List<SecretRule> rules) {
		this.rules = rules.toArray(new SecretRule[0]);
		List<KeywordAutomaton.Keyword> keywords = new ArrayList<>();
		BitSet all = new BitSet();
		for (int i = 0; i < this.rules.length; i++) {
			SecretRule rule = this.rules[i];
			if (rule.lookBehind() > BEFORE) {
				throw new IllegalArgumentException("look-behind too long: " + rule.name());
			}
			if (rule.keywords().isEmpty()) {
				all.set(i);
			}
			for (String keyword : rule.keywords()) {
				keywords.add(new KeywordAutomaton.Keyword(keyword, i));
			}
		}
		this.scanAll = all.stream().toArray();
		this.automaton = new KeywordAutomaton(keywords);
		if (this.automaton.maxKeywordLength > AFTER) {
			throw new IllegalArgumentException("keyword too long");
		}
	}

	/** The built-in detectors only. */
	public static SecretScanner builtIn() {
		return BUILT_IN;
	}

	/**
	 * The built-in detectors plus configured ones.
	 * @param customPatterns rule name to regular expression (the secret is the first group if there is
	 * one, else the whole match)
	 * @throws IllegalArgumentException for a bad name or expression, or a name of a built-in rule
	 */
	public static SecretScanner withCustomPatterns(Map<String, String> customPatterns) {
		if (customPatterns.isEmpty()) {
			return BUILT_IN;
		}
		List<SecretRule> rules = new ArrayList<>(BuiltInSecretRules.all());
		for (Map.Entry<String, String> entry : new LinkedHashMap<>(customPatterns).entrySet()) {
			if (rules.stream().anyMatch((rule) -> rule.name().equals(entry.getKey()))) {
				throw new IllegalArgumentException("secret pattern name '" + entry.getKey() + "' is taken");
			}
			rules.add(SecretRule.custom(entry.getKey(), entry.getValue()));
		}
		return new SecretScanner(rules);
	}

	/** The names of the rules, built-in first. */
	public List<String> ruleNames() {
		return Arrays.stream(this.rules).map(SecretRule::name).toList();
	}

	/** Scans a whole stream (convenience for {@code newSession().scan(in, Long.MAX_VALUE)}). */
	public Scan scan(InputStream in) throws IOException {
		return newSession().scan(in, Long.MAX_VALUE);
	}

	/** A reusable scanning context (one buffer) for one thread. */
	public Session newSession() {
		return new Session();
	}

	/**
	 * One detected secret.
	 *
	 * @param rule the rule name, e.g. {@code github-pat}
	 * @param line 1-based line of the start of the match
	 * @param start the first characters of the secret (at most 4)
	 */
	public record Match(String rule, long line, String start) {

	}

	/**
	 * The outcome of scanning one stream.
	 *
	 * @param binary a NUL byte in the first {@value #BINARY_CHECK_BYTES} bytes: not scanned
	 * @param truncated the stream was longer than the byte limit; the rest was not scanned
	 * @param bytes bytes read
	 * @param matches at most {@value #MAX_MATCHES} matches, in order
	 * @param matchCount all matches, including those not kept
	 */
	public record Scan(boolean binary, boolean truncated, long bytes, List<Match> matches, int matchCount) {

		public Scan {
			matches = List.copyOf(matches);
		}

	}

	/** Scanning state reused across streams; not thread-safe. */
	public final class Session {

		/** Grows to {@link #BUFFER} as larger streams come; small blobs need small buffers. */
		private byte[] buffer = new byte[0];

		private Latin1 text = new Latin1(this.buffer);

		/** Created on a rule's first keyword hit. */
		private final Matcher[] matchers = new Matcher[SecretScanner.this.rules.length];

		private final long[] lastEnd = new long[SecretScanner.this.rules.length];

		private long[] hitPositions = new long[64];

		private int[] hitRules = new int[64];

		private int hitCount;

		/** Absolute offset of {@code buffer[0]}. */
		private long base;

		/** New lines in the stream before {@code buffer[0]}. */
		private long linesBefore;

		private int end;

		/** The content ended (or its limit was reached): the next round is the last. */
		private boolean eof;

		private boolean binary;

		private boolean first;

		private boolean truncated;

		private long remaining;

		/** The prefilter's state, carried from one round to the next. */
		private int state;

		/** Bytes of the buffer the prefilter has seen. */
		private int scanned;

		private int scanAllFrom;

		private List<Match> matches;

		private int matchCount;

		Session() {
		}

		private Matcher matcher(int ruleIndex) {
			Matcher matcher = this.matchers[ruleIndex];
			if (matcher == null) {
				matcher = SecretScanner.this.rules[ruleIndex].pattern().matcher("");
				matcher.useTransparentBounds(true);
				matcher.useAnchoringBounds(false);
				this.matchers[ruleIndex] = matcher;
			}
			return matcher.reset(this.text);
		}

		/** A buffer for a stream of at most {@code maxBytes}: all of it when small, else 64 KiB. */
		private void sizeBuffer(long maxBytes) {
			// all of a small stream plus one byte (to see its end in the first read), else 64 KiB
			int wanted = (maxBytes >= BUFFER) ? BUFFER : (int) Math.max(0, maxBytes) + 1;
			if (this.buffer.length < wanted) {
				this.buffer = new byte[(wanted < BUFFER) ? Math.max(wanted, Math.min(BUFFER, this.buffer.length * 2))
						: BUFFER];
				this.text = new Latin1(this.buffer);
			}
		}

		/**
		 * Scans at most {@code maxBytes} of a stream (the stream is not closed).
		 * @param in the content
		 * @param maxBytes bytes to read at most; beyond, {@link Scan#truncated()} is set
		 * @return what was found
		 */
		public Scan scan(InputStream in, long maxBytes) throws IOException {
			begin(maxBytes);
			while (!this.eof) {
				while (this.end < this.buffer.length && !this.eof) {
					int want = (int) Math.min(this.buffer.length - this.end, this.remaining);
					if (want == 0) {
						this.truncated = in.read() >= 0;
						this.eof = true;
						break;
					}
					int n = in.read(this.buffer, this.end, want);
					if (n < 0) {
						this.eof = true;
					}
					else {
						this.end += n;
						this.remaining -= n;
					}
				}
				if (!round()) {
					break;
				}
			}
			return result();
		}

		/**
		 * Starts a scan whose content is given piece by piece ({@link #feed}, then {@link #finish()}),
		 * for content that is pushed rather than pulled.
		 * @param maxBytes bytes to scan at most (the expected size, when known, sizes the buffer)
		 */
		public void begin(long maxBytes) {
			sizeBuffer(maxBytes);
			this.base = 0;
			this.linesBefore = 0;
			this.end = 0;
			this.eof = false;
			this.binary = false;
			this.first = true;
			this.truncated = false;
			this.remaining = maxBytes;
			this.state = 0;
			this.scanned = 0;
			this.scanAllFrom = 0;
			this.hitCount = 0;
			this.matches = new ArrayList<>();
			this.matchCount = 0;
			Arrays.fill(this.lastEnd, -1);
		}

		/**
		 * The next bytes of the content.
		 * @return false once further bytes make no difference (binary content, or past the limit)
		 */
		public boolean feed(byte[] bytes, int offset, int length) {
			while (length > 0) {
				if (this.binary || this.eof) {
					return false;
				}
				if (this.remaining == 0) {
					this.truncated = true;
					this.eof = true;
					round();
					return false;
				}
				int n = (int) Math.min(Math.min(length, this.buffer.length - this.end), this.remaining);
				System.arraycopy(bytes, offset, this.buffer, this.end, n);
				this.end += n;
				this.remaining -= n;
				offset += n;
				length -= n;
				if (this.end == this.buffer.length && !round()) {
					return false;
				}
			}
			return !this.binary;
		}

		/** Ends a scan begun with {@link #begin(long)}. */
		public Scan finish() {
			if (!this.eof && !this.binary) {
				this.eof = true;
				round();
			}
			return result();
		}

		private Scan result() {
			if (this.binary) {
				return new Scan(true, false, this.base + this.end, List.of(), 0);
			}
			return new Scan(false, this.truncated, this.base + this.end, this.matches, this.matchCount);
		}

		/**
		 * Scans what the buffer holds; at the end of the content ({@link #eof}) all of it, else all but the
		 * last {@link SecretScanner#AFTER} bytes, which it keeps for the next round.
		 * @return false when the content turned out binary
		 */
		private boolean round() {
			if (this.first) {
				this.first = false;
				if (hasNul(this.buffer, Math.min(this.end, BINARY_CHECK_BYTES))) {
					this.binary = true;
					return false;
				}
			}
			// the prefilter, over bytes not yet seen
			byte[] bytes = this.buffer;
			char[] next = SecretScanner.this.automaton.next;
			int firstAccepting = SecretScanner.this.automaton.firstAccepting;
			int dfa = this.state;
			for (int i = this.scanned, end = this.end; i < end; i++) {
				dfa = next[(dfa << 8) | (bytes[i] & 0xff)];
				if (dfa >= firstAccepting) {
					addHits(dfa - firstAccepting, i);
				}
			}
			this.state = dfa;
			this.scanned = this.end;
			int ready = this.eof ? this.end : this.end - AFTER;
			this.text.length = this.end;
			processHits(ready);
			for (int rule : SecretScanner.this.scanAll) {
				scanAll(rule, this.scanAllFrom, ready);
			}
			this.scanAllFrom = Math.max(this.scanAllFrom, ready);
			if (!this.eof) {
				// keep the tail that windows of pending and future hits need, drop the rest
				int keepFrom = Math.max(0, ready - BEFORE);
				this.linesBefore += countNewLines(this.buffer, 0, keepFrom);
				System.arraycopy(this.buffer, keepFrom, this.buffer, 0, this.end - keepFrom);
				this.base += keepFrom;
				this.end -= keepFrom;
				this.scanned -= keepFrom;
				this.scanAllFrom -= keepFrom;
			}
			return true;
		}

		private void addHits(int acceptingState, int lastByte) {
			int[] out = SecretScanner.this.automaton.outputs[acceptingState];
			for (int k = 0; k < out.length; k += 2) {
				if (this.hitCount == this.hitPositions.length) {
					this.hitPositions = Arrays.copyOf(this.hitPositions, this.hitCount * 2);
					this.hitRules = Arrays.copyOf(this.hitRules, this.hitCount * 2);
				}
				this.hitPositions[this.hitCount] = this.base + lastByte - out[k + 1] + 1;
				this.hitRules[this.hitCount] = out[k];
				this.hitCount++;
			}
		}

		/** Evaluates the hits starting before {@code ready}; keeps the others for the next round. */
		private void processHits(int ready) {
			int kept = 0;
			for (int h = 0; h < this.hitCount; h++) {
				long position = this.hitPositions[h];
				int rule = this.hitRules[h];
				if (position - this.base >= ready) {
					this.hitPositions[kept] = position;
					this.hitRules[kept] = rule;
					kept++;
				}
				else if (position >= this.lastEnd[rule]) {
					evaluate(rule, (int) (position - this.base));
				}
			}
			this.hitCount = kept;
		}

		private void evaluate(int ruleIndex, int at) {
			SecretRule rule = SecretScanner.this.rules[ruleIndex];
			Matcher matcher = matcher(ruleIndex);
			int to = Math.min(this.end, at + AFTER);
			// anchored attempts only (earliest start first): never a find() across the window
			for (int start = Math.max(0, at - rule.lookBehind()); start <= at; start++) {
				matcher.region(start, to);
				if (matcher.lookingAt() && matcher.end() > at) {
					report(ruleIndex, rule, matcher);
					return;
				}
			}
		}

		private void scanAll(int ruleIndex, int from, int ready) {
			if (from >= ready) {
				return;
			}
			SecretRule rule = SecretScanner.this.rules[ruleIndex];
			Matcher matcher = matcher(ruleIndex);
			matcher.region(from, Math.min(this.end, ready + AFTER));
			while (matcher.find() && matcher.start() < ready) {
				if (this.base + matcher.start() >= this.lastEnd[ruleIndex]) {
					report(ruleIndex, rule, matcher);
				}
			}
		}

		private void report(int ruleIndex, SecretRule rule, Matcher matcher) {
			int group = rule.secretGroup();
			String secret = this.text.subSequence(matcher.start(group), matcher.end(group)).toString();
			if (rule.allowed().contains(secret)) {
				return;
			}
			if (rule.builtIn() && distinctCharacters(secret) < 6) {
				return; // a placeholder such as ghp_xxxxxxxxxxxxxxxx
			}
			if (rule.verifier() != null
					&& !rule.verifier().test(this.text.subSequence(matcher.start(), matcher.end()))) {
				return;
			}
			this.lastEnd[ruleIndex] = this.base + matcher.end();
			this.matchCount++;
			if (this.matches.size() < MAX_MATCHES) {
				long line = this.linesBefore + countNewLines(this.buffer, 0, matcher.start()) + 1;
				int shown = Math.min(4, secret.length() / 4);
				this.matches.add(new Match(rule.name(), line, secret.substring(0, shown)));
			}
		}

	}

	private static boolean hasNul(byte[] bytes, int length) {
		for (int i = 0; i < length; i++) {
			if (bytes[i] == 0) {
				return true;
			}
		}
		return false;
	}

	/** New lines in {@code bytes[from, to)}, eight bytes at a time. */
	static int countNewLines(byte[] bytes, int from, int to) {
		int count = 0;
		int i = from;
		for (; i + Long.BYTES <= to; i += Long.BYTES) {
			// new-line bytes become zero; then exactly the zero bytes get their high bit set
			long x = (long) LONGS.get(bytes, i) ^ 0x0A0A0A0A0A0A0A0AL;
			long y = (x & 0x7F7F7F7F7F7F7F7FL) + 0x7F7F7F7F7F7F7F7FL;
			count += Long.bitCount(~(y | x | 0x7F7F7F7F7F7F7F7FL));
		}
		for (; i < to; i++) {
			count += (bytes[i] == '\n') ? 1 : 0;
		}
		return count;
	}

	private static int distinctCharacters(String secret) {
		BitSet seen = new BitSet(128);
		for (int i = 0; i < secret.length(); i++) {
			seen.set(secret.charAt(i) & 0xff);
		}
		return seen.cardinality();
	}

	/** The buffer as ISO-8859-1 characters, for regular expressions, without copying. */
	static final class Latin1 implements CharSequence {

		private final byte[] bytes;

		int length;

		Latin1(byte[] bytes) {
			this.bytes = bytes;
		}

		@Override
		public int length() {
			return this.length;
		}

		@Override
		public char charAt(int index) {
			if (index >= this.length) {
				throw new IndexOutOfBoundsException(index);
			}
			return (char) (this.bytes[index] & 0xff);
		}

		@Override
		public CharSequence subSequence(int start, int end) {
			return new String(this.bytes, start, end - start, StandardCharsets.ISO_8859_1);
		}

		@Override
		public String toString() {
			return new String(this.bytes, 0, this.length, StandardCharsets.ISO_8859_1);
		}

	}

}
