import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hmacSha256Hex, Sha256, sha256Hex } from '../../src/sync/sha256';

const nodeSha = (s: string | Uint8Array) => createHash('sha256').update(s).digest('hex');

describe('sha256', () => {
  it('matches the FIPS 180-4 vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('matches node:crypto on a 1 MB string with multi-byte characters', () => {
    const big = 'é€😀abc'.repeat(100_000).slice(0, 1_000_000);
    expect(sha256Hex(big)).toBe(nodeSha(big));
  });

  it('gives the same digest however the input is split (block boundaries, padding)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (bytes, cuts) => {
          const h = new Sha256();
          let at = 0;
          for (const c of cuts) {
            const end = Math.min(bytes.length, at + (c % 80));
            h.update(bytes.subarray(at, end));
            at = end;
          }
          h.update(bytes.subarray(at));
          expect(h.hex()).toBe(nodeSha(bytes));
        },
      ),
    );
  });

  it('computes HMAC-SHA-256 as RFC 4231 says (test case 2) and as node:crypto does', () => {
    expect(hmacSha256Hex('Jefe', 'what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string(), (key, message) => {
        expect(hmacSha256Hex(key, message)).toBe(
          createHmac('sha256', key).update(message).digest('hex'),
        );
      }),
    );
  });
});
