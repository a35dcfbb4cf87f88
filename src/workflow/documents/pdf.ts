// PDF text through unpdf (a serverless build of PDF.js; pdfjs-dist itself needs DOMMatrix, which
// workerd lacks), loaded only when a PDF is read. Dify reads each page's text with pdfium and joins
// pages with nothing; here pages are joined by "\n" so a page's last word does not run into the
// next page's first. Line breaks within a page come from PDF.js and can differ from pdfium's.
export async function pdfText(bytes: Uint8Array): Promise<string> {
  const { extractText, getDocumentProxy } = await import("unpdf");
  // PDF.js may transfer (detach) the buffer it is given: hand it a copy.
  const document = await getDocumentProxy(bytes.slice());
  try {
    const { text } = await extractText(document, { mergePages: false });
    return text.join("\n");
  } finally {
    // PDF.js's proxy has destroy() (it frees the document); unpdf's types leave it out.
    await (document as unknown as { destroy?: () => Promise<void> }).destroy?.();
  }
}
