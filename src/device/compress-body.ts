// Request bodies compressed on the way out (docs/protocol.md, Compression). A server says it
// reads compressed bodies by answering `Accept-Encoding` (RFC 7694); until one has said so, and
// where the platform has no CompressionStream, bodies go as they are. Small bodies are not worth
// the CPU: below COMPRESS_FROM bytes they go raw too.

/** Below this many bytes of JSON a body goes uncompressed. */
export const COMPRESS_FROM = 1024;

export interface EncodedBody {
  body: BodyInit;
  headers: Record<string, string>;
}

/** Whether a server's answer says it reads gzip request bodies. */
export function acceptsGzip(res: Pick<Response, 'headers'>): boolean {
  return /\bgzip\b/i.test(res.headers.get('accept-encoding') ?? '');
}

/** The JSON body, gzipped when asked, large enough and the platform can (the raw text otherwise). */
export async function encodeBody(json: string, compress: boolean): Promise<EncodedBody> {
  const Stream = (globalThis as { CompressionStream?: typeof CompressionStream }).CompressionStream;
  if (!compress || Stream === undefined || json.length < COMPRESS_FROM) {
    return { body: json, headers: {} };
  }
  try {
    const gz = new Blob([json]).stream().pipeThrough(new Stream('gzip'));
    const bytes = new Uint8Array(await new Response(gz).arrayBuffer());
    return { body: bytes, headers: { 'content-encoding': 'gzip' } };
  } catch {
    return { body: json, headers: {} };
  }
}
