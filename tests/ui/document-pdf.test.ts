// The PDF a room saves (src/ui/documents/document-pdf.ts): an A4 file whose text, read back with
// pdf.js, is the composed document's — the mark « à valider » included while the note awaits
// validation.
import { describe, expect, it } from 'vitest';
import { type ComposedDocument, documentText, PENDING_MARK } from '../../src/domain/documents';
import { documentPdf, pdfText as latin1 } from '../../src/ui/documents/document-pdf';
import { pdfPages, pdfText } from '../support/pdf-text';

const fold = (s: string) => latin1(s).replace(/\s+/g, ' ').trim();

const doc: ComposedDocument = {
  kind: 'orientation',
  title: 'Lettre d’orientation',
  issuer: ['Médicobus Perche Émeraude', 'Camion Escale 1, immatriculé GH-472-PE'],
  author: ['Inès Benali, interne en médecine', 'Sous la supervision de Dr Hélène Morvan, médecin'],
  pendingValidation: true,
  patient: [
    { label: 'Nom de naissance', value: 'LEBRUN' },
    { label: 'Date de naissance', value: '08/03/1951' },
  ],
  addressee: 'Au spécialiste : Pneumologue, CH du Mans',
  placeAndDate: 'Fait à Mamers, le lundi 23 novembre 2026',
  sections: [
    { heading: 'Motif de consultation', lines: ['Toux persistante — trois semaines'] },
    // Long enough to wrap over several lines and to need a second page.
    {
      heading: 'Examen clinique',
      lines: Array.from(
        { length: 60 },
        (_, i) =>
          `Ligne ${i + 1} de l’examen, sibilants diffus à l’auscultation des deux champs pulmonaires, sans signe de gravité.`,
      ),
    },
  ],
  notices: [],
  signatureLine: 'Inès Benali',
};

describe('the PDF of a document', () => {
  it('is an A4 PDF whose text is the document’s, mark « à valider » first', async () => {
    const bytes = new Uint8Array(documentPdf(doc));
    expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe('%PDF-');
    const pages = await pdfPages(bytes);
    expect(pages.length).toBeGreaterThan(1);
    const text = await pdfText(bytes);
    expect(text).toContain(fold(PENDING_MARK));
    for (const line of documentText(doc).split('\n')) {
      expect(text).toContain(fold(line).slice(0, 60));
    }
    expect(text).toContain('Fait à Mamers, le lundi 23 novembre 2026');
    expect(text.indexOf('Ligne 60')).toBeGreaterThan(text.indexOf('Ligne 1 '));
  });

  it('a validated document carries no mark', async () => {
    const text = await pdfText(new Uint8Array(documentPdf({ ...doc, pendingValidation: false })));
    expect(text).not.toContain('valider');
    expect(text).toContain("Lettre d'orientation");
  });
});
