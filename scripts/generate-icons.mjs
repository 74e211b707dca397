#!/usr/bin/env node
// Draws the app and tray icons as PNG files (no image tools needed): shapes are rendered with
// 4x4 supersampling and written with zlib. Run after changing a shape: node scripts/generate-icons.mjs
//   resources/tray/tray-<state>.png (+@2x)          colored, Windows and Linux
//   resources/tray/tray-<state>Template.png (+@2x)  black + alpha, macOS template images
//   resources/icon.png (512)                        window icon
//   build/icon.png (1024)                           installers (electron-builder derives .ico/.icns)
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// ---- PNG encoding -------------------------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** RGBA pixels (Uint8Array, size*size*4) to PNG bytes. */
export function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * size * 4, size * 4).copy(raw, y * (size * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---- shapes in unit coordinates (0..1, y down) ----------------------------------------------

const roundRect = (x0, y0, x1, y1, r) => (x, y) => {
  const cx = Math.max(x0 + r, Math.min(x, x1 - r));
  const cy = Math.max(y0 + r, Math.min(y, y1 - r));
  return x >= x0 && x <= x1 && y >= y0 && y <= y1 && (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
};
const circle = (cx, cy, r) => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
function segment(ax, ay, bx, by, halfWidth) {
  return (x, y) => {
    const dx = bx - ax;
    const dy = by - ay;
    const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
    return (x - ax - t * dx) ** 2 + (y - ay - t * dy) ** 2 <= halfWidth * halfWidth;
  };
}
const union = (...shapes) => (x, y) => shapes.some((s) => s(x, y));
const minus = (a, b) => (x, y) => a(x, y) && !b(x, y);

// envelope: body 0.16..0.84 x 0.28..0.72, flap meeting at the middle
const ENV = { x0: 0.16, y0: 0.28, x1: 0.84, y1: 0.72 };
const flap = (w) =>
  union(segment(ENV.x0 + 0.02, ENV.y0 + 0.02, 0.5, 0.53, w), segment(0.5, 0.53, ENV.x1 - 0.02, ENV.y0 + 0.02, w));
const envelopeSolid = (w) => minus(roundRect(ENV.x0, ENV.y0, ENV.x1, ENV.y1, 0.05), flap(w));
const envelopeOutline = (w) =>
  union(
    minus(roundRect(ENV.x0, ENV.y0, ENV.x1, ENV.y1, 0.06), roundRect(ENV.x0 + 2 * w, ENV.y0 + 2 * w, ENV.x1 - 2 * w, ENV.y1 - 2 * w, 0.02)),
    flap(w),
  );
const pauseBars = union(roundRect(0.3, 0.24, 0.43, 0.76, 0.03), roundRect(0.57, 0.24, 0.7, 0.76, 0.03));
const exclamation = union(roundRect(0.44, 0.18, 0.56, 0.6, 0.05), circle(0.5, 0.76, 0.075));
const ringed = (inner, w) => union(minus(circle(0.5, 0.5, 0.46), circle(0.5, 0.5, 0.46 - 2 * w)), inner);

// ---- rendering ------------------------------------------------------------------------------

/** layers: [{shape, color: [r,g,b,a]}], painted in order (source-over). */
function render(size, layers) {
  const out = new Uint8Array(size * size * 4);
  const n = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const x = (px + (sx + 0.5) / n) / size;
          const y = (py + (sy + 0.5) / n) / size;
          let cr = 0;
          let cg = 0;
          let cb = 0;
          let ca = 0;
          for (const { shape, color } of layers) {
            if (!shape(x, y)) continue;
            const la = color[3] / 255;
            cr = color[0] * la + cr * (1 - la);
            cg = color[1] * la + cg * (1 - la);
            cb = color[2] * la + cb * (1 - la);
            ca = la + ca * (1 - la);
          }
          r += cr;
          g += cg;
          b += cb;
          a += ca;
        }
      }
      const samples = n * n;
      const alpha = a / samples;
      const i = (py * size + px) * 4;
      // stored straight (not premultiplied)
      out[i] = alpha ? Math.round(r / samples / alpha) : 0;
      out[i + 1] = alpha ? Math.round(g / samples / alpha) : 0;
      out[i + 2] = alpha ? Math.round(b / samples / alpha) : 0;
      out[i + 3] = Math.round(alpha * 255);
    }
  }
  return out;
}

const WHITE = [255, 255, 255, 255];
const BLACK = [0, 0, 0, 255];
const STATE_COLORS = {
  sandbox: [37, 99, 235, 255],
  real: [22, 163, 74, 255],
  paused: [107, 114, 128, 255],
  failing: [220, 38, 38, 255],
};
const tile = roundRect(0.04, 0.04, 0.96, 0.96, 0.2);

function coloredTray(state) {
  const glyph = state === 'paused' ? pauseBars : state === 'failing' ? exclamation : envelopeSolid(0.045);
  return [
    { shape: tile, color: STATE_COLORS[state] },
    { shape: glyph, color: WHITE },
  ];
}

function templateTray(state) {
  const w = 0.045;
  const glyph = {
    sandbox: envelopeOutline(w),
    real: envelopeSolid(w),
    paused: ringed(pauseBars, w),
    failing: ringed(exclamation, w),
  }[state];
  return [{ shape: glyph, color: BLACK }];
}

function appIcon() {
  return [
    { shape: roundRect(0.06, 0.06, 0.94, 0.94, 0.2), color: STATE_COLORS.sandbox },
    { shape: envelopeSolid(0.025), color: WHITE },
  ];
}

function write(file, size, layers) {
  const target = path.join(root, file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, encodePng(size, render(size, layers)));
  return file;
}

const written = [];
for (const state of Object.keys(STATE_COLORS)) {
  written.push(write(`resources/tray/tray-${state}.png`, 16, coloredTray(state)));
  written.push(write(`resources/tray/tray-${state}@2x.png`, 32, coloredTray(state)));
  written.push(write(`resources/tray/tray-${state}Template.png`, 16, templateTray(state)));
  written.push(write(`resources/tray/tray-${state}Template@2x.png`, 32, templateTray(state)));
}
written.push(write('resources/icon.png', 512, appIcon()));
written.push(write('build/icon.png', 1024, appIcon()));
console.log(`wrote ${written.length} icons:\n  ${written.join('\n  ')}`);
