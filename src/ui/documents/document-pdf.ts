// A composed document (src/domain/documents.ts) as an A4 PDF made in the browser with jsPDF, so a
// document is saved or sent as a file offline too. Loaded only when a PDF is asked for
// (import('./document-pdf')): jsPDF stays out of the first screen's bundle.
import { jsPDF } from 'jspdf';
import type { ComposedDocument } from '../../domain/documents';
import { PENDING_MARK } from '../../domain/documents';

/** The PDF's standard font (Helvetica) encodes Latin-1: typographic signs beyond it are written
 * with their plain equivalents. */
export function pdfText(s: string): string {
  return s
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[\u2013\u2014]/g, '-')
    .replace(/\u2026/g, '...')
    .replace(/\u0153/g, 'oe')
    .replace(/\u0152/g, 'OE')
    .replace(/[\u202f\u2009]/g, ' ')
    .replace(/[^\t\n\r\u0020-\u00ff]/g, '?');
}

const MARGIN = 18; // mm
const WIDTH = 210 - 2 * MARGIN;
const BOTTOM = 297 - MARGIN;

/** The document as PDF bytes, A4 portrait, text only (searchable and selectable). */
export function documentPdf(d: ComposedDocument): ArrayBuffer {
  const pdf = new jsPDF({ unit: 'mm', format: 'a4', orientation: 'portrait' });
  pdf.setProperties({ title: pdfText(d.title), creator: 'Escale' });
  let y = MARGIN;
  const write = (text: string, size: number, style: 'normal' | 'bold' = 'normal', gap = 1.5) => {
    pdf.setFont('helvetica', style);
    pdf.setFontSize(size);
    const lineHeight = size * 0.45;
    for (const line of pdf.splitTextToSize(pdfText(text), WIDTH) as string[]) {
      if (y + lineHeight > BOTTOM) {
        pdf.addPage();
        y = MARGIN;
      }
      pdf.text(line, MARGIN, y + lineHeight * 0.8);
      y += lineHeight;
    }
    y += gap;
  };
  for (const [i, line] of d.issuer.entries())
    write(line, i === 0 ? 12 : 10, i === 0 ? 'bold' : 'normal', 0.5);
  y += 2;
  for (const line of d.author) write(line, 10, 'normal', 0.5);
  y += 3;
  if (d.pendingValidation) {
    pdf.setDrawColor(180, 0, 0);
    pdf.setTextColor(180, 0, 0);
    write(PENDING_MARK, 11, 'bold', 3);
    pdf.setTextColor(0, 0, 0);
  }
  write(d.title, 16, 'bold', 3);
  if (d.addressee) write(d.addressee, 11, 'normal', 3);
  for (const l of d.patient) write(`${l.label} : ${l.value}`, 10, 'normal', 0.3);
  y += 4;
  for (const section of d.sections) {
    write(section.heading, 11, 'bold', 1);
    for (const line of section.lines) write(line, 10.5, 'normal', 1);
    y += 2;
  }
  for (const notice of d.notices) write(notice, 10, 'bold', 2);
  y += 4;
  write(d.placeAndDate, 10.5, 'normal', 2);
  if (d.signatureLine) write(d.signatureLine, 10.5, 'bold', 0);
  return pdf.output('arraybuffer');
}
