// How the day's notes compress (Node only: kept apart from notes.ts, which the client page
// bundles for Chromium).
import { gzipSync } from 'node:zlib';

/**
 * How notes compress: all of them as one text (raw, gzip-6), each alone (the mean of its gzip
 * ratio: a note travels in a sync batch with few others), and how often a sentence repeats.
 */
export function notesCompression(texts: readonly string[]) {
  const all = Buffer.from(texts.join('\n'), 'utf8');
  const each = texts.map((t) => {
    const b = Buffer.from(t, 'utf8');
    return b.length === 0 ? 1 : gzipSync(b, { level: 6 }).length / b.length;
  });
  const sentences = texts.flatMap((t) => t.split(/(?<=[.;])\s+/)).filter((s) => s.length > 0);
  return {
    rawBytes: all.length,
    gzipBytes: gzipSync(all, { level: 6 }).length,
    gzipRatio: all.length === 0 ? 1 : gzipSync(all, { level: 6 }).length / all.length,
    gzipRatioPerNote: each.length === 0 ? 1 : each.reduce((a, b) => a + b, 0) / each.length,
    sentences: sentences.length,
    distinctSentences: new Set(sentences).size,
  };
}
