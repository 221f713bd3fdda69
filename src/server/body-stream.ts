// A compression context kept across a relay's sync requests (docs/protocol.md, « A compression
// context across requests »; docs/decisions/0031-relay-stream-compression.md).
// Each request body is one flushed piece of a single brotli stream the relay keeps for as long as
// its requests succeed; central keeps the matching decoder. What a day repeats (ids, field
// names, the phrases of notes) is then paid once per day, not once per request: the day's pushes
// of the bench's reference day take 85 kB instead of 151 kB (brotli-5 per request).
// Both ends drop the context at the first doubt (an error, a missed piece, a restart): the
// relay then starts a new one from its next body, so a context never has to be repaired.
import {
  type BrotliCompress,
  type BrotliDecompress,
  constants,
  createBrotliCompress,
  createBrotliDecompress,
} from 'node:zlib';

/** Content type of a body that is a piece of a context's stream. */
export const STREAM_BODY_TYPE = 'application/vnd.escale.sync+br-stream';
/** Request header: `<context id>;<piece number from 0>`. */
export const STREAM_HEADER = 'escale-stream';
/** Answer header of central's sync answers: it reads bodies in a context. */
export const STREAM_OFFER_HEADER = 'escale-request-stream';
/**
 * Brotli quality of the relay's pieces: 11. The bench's day re-encoded (docs/benchmarks.md,
 * « second pass »): 74 kB against 89 at quality 5, for ≈ 12 s of encoding a day on the bench's
 * loaded host (1 MB of pushes; 25–250 ms at quality 5), a background task with a day to do it.
 */
export const PUSH_QUALITY = 11;
/** A context's window: 1 MiB, about a day of a truck's ops as sent (what each end holds). */
const LGWIN = 20;
const ID = /^[A-Za-z0-9_-]{8,64}$/;

export interface StreamPiece {
  id: string;
  n: number;
}

/** Reads the `escale-stream` header; null when it is malformed. */
export function parseStreamHeader(value: string | undefined): StreamPiece | null {
  const m = /^([^;]+);(\d{1,9})$/.exec(value ?? '');
  if (!m || !ID.test(m[1]!)) return null;
  return { id: m[1]!, n: Number(m[2]) };
}

/** Everything `stream` emits until `done` resolves. */
async function collect(
  stream: BrotliCompress | BrotliDecompress,
  run: () => void,
  limit: number,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  const onData = (c: Buffer) => {
    size += c.length;
    if (size > limit) over = true;
    else chunks.push(c);
  };
  stream.on('data', onData);
  try {
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      stream.once('error', onError);
      run();
      stream.flush(constants.BROTLI_OPERATION_FLUSH, () => {
        stream.off('error', onError);
        resolve();
      });
    });
  } finally {
    stream.off('data', onData);
  }
  if (over) throw new StreamTooLarge();
  return Buffer.concat(chunks);
}

export class StreamTooLarge extends Error {}

/** The relay's side: one context, the pieces it has sent. */
export class StreamEncoder {
  readonly id: string;
  private next = 0;
  private readonly encoder: BrotliCompress;

  constructor(id: string, quality = PUSH_QUALITY) {
    if (!ID.test(id)) throw new Error('identifiant de contexte de compression invalide');
    this.id = id;
    this.encoder = createBrotliCompress({
      params: {
        [constants.BROTLI_PARAM_QUALITY]: quality,
        [constants.BROTLI_PARAM_LGWIN]: LGWIN,
      },
    });
  }

  /** The next piece: `body` compressed with everything sent before it as context. */
  async piece(body: string): Promise<{ header: string; bytes: Buffer }> {
    const bytes = await collect(this.encoder, () => this.encoder.write(body), Infinity);
    const header = `${this.id};${this.next}`;
    this.next++;
    return { header, bytes };
  }

  close(): void {
    this.encoder.close();
  }
}

interface Held {
  decoder: BrotliDecompress;
  next: number;
  usedAt: number;
  busy: boolean;
}

export type DecodeResult =
  | { ok: true; body: Buffer }
  | { ok: false; reason: 'lost' | 'too_large' | 'corrupt' };

/**
 * Central's side: the decoders of the contexts relays keep, one per device (a new context of a
 * device replaces its previous one). A piece is decoded only if it is the next of its context;
 * anything else (an unknown context after a restart, a piece missed or sent twice, a body too
 * large once decoded, a corrupt piece) drops the context: the relay starts a new one.
 */
export class StreamDecoders {
  private readonly held = new Map<string, Held & { id: string }>();

  constructor(
    private readonly options: {
      /** Contexts kept at most (the least recently used goes first). */
      max?: number;
      /** A context not used for this long is dropped (ms). */
      idleMs?: number;
      now?: () => number;
    } = {},
  ) {}

  private get now() {
    return this.options.now ?? Date.now;
  }

  private drop(device: string): void {
    const h = this.held.get(device);
    if (!h) return;
    h.decoder.close();
    this.held.delete(device);
  }

  private sweep(): void {
    const idle = this.options.idleMs ?? 30 * 60_000;
    const now = this.now();
    for (const [device, h] of this.held) if (now - h.usedAt > idle && !h.busy) this.drop(device);
    const max = this.options.max ?? 256;
    const byAge = [...this.held].sort((a, b) => a[1].usedAt - b[1].usedAt);
    for (const [device, h] of byAge) {
      if (this.held.size <= max) break;
      if (!h.busy) this.drop(device);
    }
  }

  get size(): number {
    return this.held.size;
  }

  /** Decodes `piece` of `device`'s context, at most `limit` bytes once decoded. */
  async decode(
    device: string,
    piece: StreamPiece,
    bytes: Buffer,
    limit: number,
  ): Promise<DecodeResult> {
    this.sweep();
    let h = this.held.get(device);
    if (piece.n === 0) {
      // A new context (the relay's first, or its restart after a doubt).
      this.drop(device);
      h = {
        id: piece.id,
        decoder: createBrotliDecompress(),
        next: 0,
        usedAt: this.now(),
        busy: false,
      };
      this.held.set(device, h);
      this.sweep();
    }
    if (!h || h.id !== piece.id || h.next !== piece.n || h.busy) {
      if (h && !h.busy) this.drop(device);
      return { ok: false, reason: 'lost' };
    }
    h.busy = true;
    try {
      const body = await collect(h.decoder, () => h.decoder.write(bytes), limit);
      h.next++;
      h.usedAt = this.now();
      h.busy = false;
      return { ok: true, body };
    } catch (e) {
      h.busy = false;
      this.drop(device);
      return { ok: false, reason: e instanceof StreamTooLarge ? 'too_large' : 'corrupt' };
    }
  }

  closeAll(): void {
    for (const device of [...this.held.keys()]) this.drop(device);
  }
}

// ---- Central's answers to a relay in a context of their own (decision 0031, second part) ----
// The relay offers it on each sync request and long poll: `escale-answer-stream: <id>;<n>`, the
// context it holds and how many of its pieces it has read whole. Central continues that context
// only if it is exactly where the relay says (same id, piece n next); anything else (an answer
// the relay did not read whole, a restart, an offer out of order) is answered without a context
// and the context dropped, the relay then offering a new one (`<new id>;0`). The relay decodes a
// piece only if it names its context and the piece it expects: never a wrong decode.

/** Request header (the relay's offer) and, on a plain sync answer, central's `br` (it does them). */
export const ANSWER_STREAM_HEADER = 'escale-answer-stream';
/** Brotli quality of central's answer pieces (docs/benchmarks.md, « second pass »). */
export const ANSWER_QUALITY = 5;

interface HeldEncoder {
  id: string;
  encoder: BrotliCompress;
  next: number;
  usedAt: number;
  busy: boolean;
  /** Replaced while encoding: closed once that piece is done. */
  retired: boolean;
}

/** Central's side of the answers: one encoder per relay device and channel (sync, long poll). */
export class StreamEncoders {
  private readonly held = new Map<string, HeldEncoder>();

  constructor(
    private readonly options: {
      max?: number;
      idleMs?: number;
      quality?: number;
      now?: () => number;
    } = {},
  ) {}

  private get now() {
    return this.options.now ?? Date.now;
  }

  get size(): number {
    return this.held.size;
  }

  /** Forgets `key`'s context (closed now, or after the piece it is encoding). */
  drop(key: string): void {
    const h = this.held.get(key);
    if (!h) return;
    this.held.delete(key);
    if (h.busy) h.retired = true;
    else h.encoder.close();
  }

  private sweep(): void {
    const idle = this.options.idleMs ?? 30 * 60_000;
    const now = this.now();
    for (const [key, h] of this.held) if (now - h.usedAt > idle) this.drop(key);
    const max = this.options.max ?? 256;
    const byAge = [...this.held].sort((a, b) => a[1].usedAt - b[1].usedAt);
    for (const [key] of byAge) {
      if (this.held.size <= max) break;
      this.drop(key);
    }
  }

  /**
   * `body` as piece `offer.n` of context `offer.id` of `key`, or null: answer it without a
   * context (the context is not where the relay says, or is busy; it is dropped).
   */
  async encode(
    key: string,
    offer: StreamPiece,
    body: string | Buffer,
  ): Promise<{ header: string; bytes: Buffer } | null> {
    this.sweep();
    if (offer.n === 0) {
      this.drop(key);
      this.held.set(key, {
        id: offer.id,
        encoder: createBrotliCompress({
          params: {
            [constants.BROTLI_PARAM_QUALITY]: this.options.quality ?? ANSWER_QUALITY,
            [constants.BROTLI_PARAM_LGWIN]: LGWIN,
          },
        }),
        next: 0,
        usedAt: this.now(),
        busy: false,
        retired: false,
      });
      this.sweep();
    }
    const h = this.held.get(key);
    if (!h || h.id !== offer.id || h.next !== offer.n || h.busy) {
      this.drop(key);
      return null;
    }
    h.busy = true;
    try {
      const bytes = await collect(h.encoder, () => h.encoder.write(body), Infinity);
      h.next++;
      h.usedAt = this.now();
      return { header: `${h.id};${offer.n}`, bytes };
    } catch {
      this.drop(key);
      return null;
    } finally {
      h.busy = false;
      if (h.retired) h.encoder.close();
    }
  }

  closeAll(): void {
    for (const key of [...this.held.keys()]) this.drop(key);
  }
}

/** The relay's side of the answers: the one context of a channel it holds, and its offer. */
export class StreamDecoder {
  readonly id: string;
  private next = 0;
  private readonly decoder = createBrotliDecompress();
  private broken = false;

  constructor(id: string) {
    if (!ID.test(id)) throw new Error('identifiant de contexte de compression invalide');
    this.id = id;
  }

  /** The request header offering this context's next piece. */
  get offer(): string {
    return `${this.id};${this.next}`;
  }

  /**
   * Decodes an answer labelled `header`; throws unless it is this context's next piece (the
   * caller then drops this context: once broken, it never decodes again).
   */
  async read(header: string | null, bytes: Buffer, limit: number): Promise<Buffer> {
    const piece = parseStreamHeader(header ?? undefined);
    if (this.broken || !piece || piece.id !== this.id || piece.n !== this.next) {
      this.broken = true;
      throw new Error('réponse hors de son contexte de compression');
    }
    try {
      const body = await collect(this.decoder, () => this.decoder.write(bytes), limit);
      this.next++;
      return body;
    } catch (e) {
      this.broken = true;
      throw e;
    }
  }

  close(): void {
    this.decoder.close();
  }
}
