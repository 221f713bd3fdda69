// What a relay's request body says, whatever its form on the wire: raw, brotli, or a piece of
// the compression context it keeps across its sync requests (src/server/body-stream.ts). A
// reader follows one relay's pieces in order, as central's decoder does.
import { brotliDecompressSync } from 'node:zlib';
import {
  parseStreamHeader,
  STREAM_BODY_TYPE,
  STREAM_HEADER,
  StreamDecoders,
} from '../../src/server/body-stream';

export function sentBodyReader(): (init?: RequestInit) => Promise<string> {
  const decoders = new StreamDecoders();
  return async (init) => {
    const raw = init?.body as string | Uint8Array | undefined;
    if (raw === undefined) return '';
    if (typeof raw === 'string') return raw;
    const headers = new Headers(init?.headers);
    if (headers.get('content-type') === STREAM_BODY_TYPE) {
      const piece = parseStreamHeader(headers.get(STREAM_HEADER) ?? undefined);
      if (!piece) throw new Error('en-tête de contexte illisible');
      const out = await decoders.decode('relay', piece, Buffer.from(raw), 64 * 1024 * 1024);
      if (!out.ok) throw new Error(`pièce de contexte illisible : ${out.reason}`);
      return out.body.toString('utf8');
    }
    return brotliDecompressSync(Buffer.from(raw)).toString('utf8');
  };
}

/**
 * What central answered, as a test's spy on the relay's fetch sees it: an answer in the relay's
 * context (decision 0031) read by a decoder of its own, in order, like the relay's.
 */
export function answerReader(): (res: Response) => Promise<string> {
  const decoders = new StreamDecoders();
  return async (res) => {
    const raw = Buffer.from(await res.arrayBuffer());
    if (res.headers.get('content-type') !== STREAM_BODY_TYPE) return raw.toString('utf8');
    const piece = parseStreamHeader(res.headers.get(STREAM_HEADER) ?? undefined);
    if (!piece) throw new Error('en-tête de contexte illisible');
    const out = await decoders.decode(piece.id, piece, raw, 64 * 1024 * 1024);
    if (!out.ok) throw new Error(`réponse en contexte illisible : ${out.reason}`);
    return out.body.toString('utf8');
  };
}
