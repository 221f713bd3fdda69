// Saves a text file from the browser (exports): a Blob behind a temporary link.
export function downloadText(
  filename: string,
  text: string,
  type = 'text/csv;charset=utf-8',
  options: { bom?: boolean } = {},
): void {
  // A BOM so spreadsheets read the UTF-8 accents right; none for JSON, whose readers refuse it.
  const blob = new Blob(options.bom === false ? [text] : ['\uFEFF', text], { type });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
