// How a relay sends a JSON body to central: brotli once central has said it reads it (its answers'
// Accept-Encoding, RFC 7694) and the body is worth it. Shared by the relay and the fleet bench's
// relay model, so the bench measures the bytes the relay really sends.
import { brotliCompressSync, constants as zlibConstants } from 'node:zlib';

/** Below this a compressed body saves less than its own framing costs on the link. */
export const UPSTREAM_COMPRESS_MIN_BYTES = 1024;

export interface UpstreamBody {
  headers: Record<string, string>;
  body: string | Uint8Array<ArrayBuffer> | undefined;
}

export function upstreamBody(json: string | undefined, readsBrotli: boolean): UpstreamBody {
  if (json === undefined) return { headers: {}, body: undefined };
  if (!readsBrotli || json.length < UPSTREAM_COMPRESS_MIN_BYTES) {
    return { headers: { 'content-type': 'application/json' }, body: json };
  }
  const packed = brotliCompressSync(json, {
    params: {
      [zlibConstants.BROTLI_PARAM_QUALITY]: 5,
      [zlibConstants.BROTLI_PARAM_SIZE_HINT]: json.length,
    },
  });
  // A compressed buffer of its own (not a view into a shared pool): fetch takes it as it is.
  const body = new Uint8Array(packed.buffer as ArrayBuffer, packed.byteOffset, packed.byteLength);
  return { headers: { 'content-type': 'application/json', 'content-encoding': 'br' }, body };
}
