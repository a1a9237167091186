package io.gitwarden.inspect;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * The keyword prefilter of {@link SecretScanner}: an Aho–Corasick automaton over bytes compiled to a full
 * transition table, so that finding every occurrence of every keyword costs one table lookup per input
 * byte, whatever the number of keywords. Matching is ASCII case-insensitive (the rule's regular
 * expression decides on case afterwards). States are numbered so that every state that ends a keyword is
 * {@code >= firstAccepting}: the scan loop needs one comparison per byte.
 */
final class KeywordAutomaton {

	/** {@code next[state << 8 | byte]}. */
	final char[] next;

	/** The lowest state number that ends a keyword ({@link Integer#MAX_VALUE} without keywords). */
	final int firstAccepting;

	/** Per accepting state ({@code state - firstAccepting}): pairs of (rule index, keyword length). */
	final int[][] outputs;

	/** The longest keyword, in bytes. */
	final int maxKeywordLength;

	/** One keyword of one rule (ASCII). */
	record Keyword(String text, int rule) {

	}

	KeywordAutomaton(List<Keyword> keywords) {
		List<int[]> trie = new ArrayList<>();
		List<List<int[]>> outputs = new ArrayList<>();
		trie.add(newRow());
		outputs.add(new ArrayList<>());
		int longest = 0;
		for (Keyword keyword : keywords) {
			byte[] bytes = keyword.text().getBytes(StandardCharsets.ISO_8859_1);
			if (bytes.length == 0) {
				throw new IllegalArgumentException("empty keyword");
			}
			longest = Math.max(longest, bytes.length);
			int node = 0;
			for (byte b : bytes) {
				int c = fold(b & 0xff);
				if (trie.get(node)[c] < 0) {
					trie.get(node)[c] = trie.size();
					trie.add(newRow());
					outputs.add(new ArrayList<>());
				}
				node = trie.get(node)[c];
			}
			outputs.get(node).add(new int[] { keyword.rule(), bytes.length });
		}
		int count = trie.size();
		if (count > Character.MAX_VALUE) {
			throw new IllegalArgumentException("too many keywords");
		}
		// failure links and the full transition function, breadth first
		int[][] delta = new int[count][256];
		int[] fail = new int[count];
		Deque<Integer> queue = new ArrayDeque<>();
		for (int c = 0; c < 256; c++) {
			int child = trie.get(0)[c];
			delta[0][c] = Math.max(child, 0);
			if (child > 0) {
				queue.add(child);
			}
		}
		while (!queue.isEmpty()) {
			int node = queue.poll();
			// the keywords ending at the longest proper suffix end here too (it is shallower: already final)
			outputs.get(node).addAll(outputs.get(fail[node]));
			for (int c = 0; c < 256; c++) {
				int child = trie.get(node)[c];
				if (child > 0) {
					fail[child] = delta[fail[node]][c];
					delta[node][c] = child;
					queue.add(child);
				}
				else {
					delta[node][c] = delta[fail[node]][c];
				}
			}
		}
		// upper-case ASCII letters go where their lower-case letters go
		for (int s = 0; s < count; s++) {
			for (int c = 'A'; c <= 'Z'; c++) {
				delta[s][c] = delta[s][c | 0x20];
			}
		}
		// renumber: accepting states last, the root stays 0
		int plain = 0;
		for (int s = 0; s < count; s++) {
			if (outputs.get(s).isEmpty()) {
				plain++;
			}
		}
		int[] number = new int[count];
		int nextPlain = 0;
		int nextAccepting = plain;
		for (int s = 0; s < count; s++) {
			number[s] = outputs.get(s).isEmpty() ? nextPlain++ : nextAccepting++;
		}
		this.next = new char[count << 8];
		this.outputs = new int[count - plain][];
		for (int s = 0; s < count; s++) {
			int n = number[s];
			for (int c = 0; c < 256; c++) {
				this.next[(n << 8) | c] = (char) number[delta[s][c]];
			}
			List<int[]> out = outputs.get(s);
			if (!out.isEmpty()) {
				int[] flat = new int[out.size() * 2];
				for (int i = 0; i < out.size(); i++) {
					flat[2 * i] = out.get(i)[0];
					flat[2 * i + 1] = out.get(i)[1];
				}
				this.outputs[n - plain] = flat;
			}
		}
		this.firstAccepting = (count == plain) ? Integer.MAX_VALUE : plain;
		this.maxKeywordLength = longest;
	}

	private static int fold(int c) {
		return (c >= 'A' && c <= 'Z') ? (c | 0x20) : c;
	}

	private static int[] newRow() {
		int[] row = new int[256];
		Arrays.fill(row, -1);
		return row;
	}

}
