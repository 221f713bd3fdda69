// The text of a PDF, page by page, read with Mozilla's pdf.js (the legacy build runs in Node): how
// the tests check what a printed or saved document says, rather than trusting the bytes' size.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

// The standard fonts' metrics pdf.js needs for a PDF that does not embed its fonts (jsPDF's).
const standardFontDataUrl = `${join(dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'standard_fonts')}/`;

export async function pdfPages(bytes: Uint8Array): Promise<string[]> {
  // pdf.js takes the buffer over (it detaches it): it gets a copy.
  const doc = await getDocument({
    data: bytes.slice(),
    standardFontDataUrl,
    useSystemFonts: false,
    isEvalSupported: false,
  }).promise;
  const pages: string[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    const content = await page.getTextContent();
    const lines: string[] = [];
    let line = '';
    for (const item of content.items) {
      if (!('str' in item)) continue;
      line += item.str;
      if (item.hasEOL) {
        lines.push(line);
        line = '';
      }
    }
    if (line !== '') lines.push(line);
    pages.push(lines.join('\n'));
  }
  await doc.destroy();
  return pages;
}

/** The whole text, whitespace folded to single spaces (line breaks fall anywhere in a PDF). */
export async function pdfText(bytes: Uint8Array): Promise<string> {
  return (await pdfPages(bytes)).join('\n').replace(/\s+/g, ' ').trim();
}
