import { describe, expect, it } from 'vitest';
import { rng } from '../../scripts/bench/identities';
import { clinicalText, motif } from '../../scripts/bench/notes';
import { notesCompression } from '../../scripts/bench/notes-compression';

const SECTIONS = ['subjective', 'objective', 'assessment', 'plan'] as const;

describe('generated clinical notes', () => {
  it('are deterministic for a seed', () => {
    expect(clinicalText(rng(3), 'subjective', 500)).toBe(clinicalText(rng(3), 'subjective', 500));
  });

  it('have the asked length and read as French sentences', () => {
    const r = rng(1);
    for (const s of SECTIONS) {
      const t = clinicalText(r, s, 300);
      expect(t.length).toBeLessThanOrEqual(300);
      expect(t.length).toBeGreaterThan(250);
      expect(t).toMatch(/^[A-ZÀ-Ý]/);
    }
    expect(motif(r).length).toBeLessThanOrEqual(60);
  });

  it('do not repeat: a hundred notes share few sentences and no two notes are equal', () => {
    const r = rng(9);
    const notes = Array.from({ length: 100 }, () =>
      SECTIONS.map((s) => clinicalText(r, s, 400)).join('\n'),
    );
    expect(new Set(notes).size).toBe(100);
    const stats = notesCompression(notes);
    expect(stats.distinctSentences / stats.sentences).toBeGreaterThan(0.5);
    // A note alone compresses as prose does, not as a repeated paragraph.
    expect(stats.gzipRatioPerNote).toBeGreaterThan(0.45);
  });
});
