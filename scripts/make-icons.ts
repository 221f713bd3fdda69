// Writes the PWA icons (public/icons/*.png) without any image library: a solid emerald tile with a
// white block letter "E", encoded as PNG by hand (zlib + CRC). Run: npx tsx scripts/make-icons.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const EMERALD: Rgba = [11, 110, 79, 255];
const WHITE: Rgba = [255, 255, 255, 255];
const CLEAR: Rgba = [0, 0, 0, 0];
type Rgba = [number, number, number, number];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const body = Buffer.concat([head.subarray(4), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body), 0);
  return Buffer.concat([head.subarray(0, 4), body, crc]);
}

/** Encodes an RGBA pixel function as a PNG (colour type 6, 8 bits, no interlace). */
export function encodePng(size: number, pixel: (x: number, y: number) => Rgba): Buffer {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    const row = y * (size * 4 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const [r, g, b, a] = pixel(x, y);
      raw.set([r, g, b, a], row + 1 + x * 4);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', new Uint8Array()),
  ]);
}

/** Block letter E inside a box of `glyph` × `glyph` pixels centred in the icon. */
function isLetterE(x: number, y: number, size: number, glyph: number): boolean {
  const left = (size - glyph * 0.7) / 2;
  const top = (size - glyph) / 2;
  const u = (x - left) / (glyph * 0.7);
  const v = (y - top) / glyph;
  if (u < 0 || u > 1 || v < 0 || v > 1) return false;
  const bar = 0.18;
  if (u < 0.26) return true; // stem
  if (v < bar || v > 1 - bar) return true; // top and bottom arms
  return v > 0.5 - bar / 2 && v < 0.5 + bar / 2 && u < 0.85; // middle arm, a little shorter
}

function insideRoundedSquare(x: number, y: number, size: number, radius: number): boolean {
  const cx = Math.min(Math.max(x + 0.5, radius), size - radius);
  const cy = Math.min(Math.max(y + 0.5, radius), size - radius);
  return (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= radius ** 2;
}

/** Standard icon: rounded tile, letter at 60 % of the side. */
function standardIcon(size: number): Buffer {
  return encodePng(size, (x, y) => {
    if (!insideRoundedSquare(x, y, size, size * 0.18)) return CLEAR;
    return isLetterE(x, y, size, size * 0.6) ? WHITE : EMERALD;
  });
}

/** Maskable icon: full bleed, letter kept inside the 80 % safe zone (here 44 % of the side). */
function maskableIcon(size: number): Buffer {
  return encodePng(size, (x, y) => (isLetterE(x, y, size, size * 0.44) ? WHITE : EMERALD));
}

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'icons');
mkdirSync(outDir, { recursive: true });
const files: [string, Buffer][] = [
  ['icon-192.png', standardIcon(192)],
  ['icon-512.png', standardIcon(512)],
  ['icon-maskable-512.png', maskableIcon(512)],
  ['apple-touch-icon-180.png', maskableIcon(180)],
];
for (const [name, png] of files) {
  writeFileSync(join(outDir, name), png);
  console.log(`public/icons/${name} (${png.length} octets)`);
}
