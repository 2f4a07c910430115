// Draws media/icon.png (128×128): a spiral trajectory of a damped oscillator over its vector
// field, the picture a neural ODE learns first. Run `node scripts/makeIcon.mjs` to redraw it.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const N = 128;
const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../media/icon.png');
const rgba = new Float64Array(N * N * 4);

/** Source-over blend of colour c (0..255) with coverage a (0..1) into pixel (x, y). */
function blend(x, y, c, a) {
  const i = (y * N + x) * 4;
  for (let k = 0; k < 3; k++) rgba[i + k] = rgba[i + k] * (1 - a) + c[k] * a;
  rgba[i + 3] = rgba[i + 3] * (1 - a) + 255 * a;
}

const mix = (p, q, s) => p.map((v, k) => v + (q[k] - v) * s);

// Rounded-square background with a vertical gradient.
for (let y = 0; y < N; y++) {
  for (let x = 0; x < N; x++) {
    const r = 22;
    const dx = Math.max(r - x - 0.5, x + 0.5 - (N - r), 0);
    const dy = Math.max(r - y - 0.5, y + 0.5 - (N - r), 0);
    const a = Math.min(1, Math.max(0, r + 0.5 - Math.hypot(dx, dy)));
    if (a > 0) blend(x, y, mix([28, 36, 58], [14, 18, 32], y / N), a);
  }
}

// Damped oscillator y'' + 0.25 y' + y = 0 as a planar field (u, v) = (v, -u - 0.25 v).
const field = (u, v) => [v, -u - 0.25 * v];
const toPx = (u, v) => [64 + u * 44, 64 - v * 44];

/** Anti-aliased polyline: coverage from the distance to the nearest segment. */
function stroke(points, width, colourAt) {
  for (let y = 0; y < N; y++) {
    for (let x = 0; x < N; x++) {
      let best = Infinity;
      let at = 0;
      for (let s = 0; s + 1 < points.length; s++) {
        const [ax, ay] = points[s];
        const [bx, by] = points[s + 1];
        const ex = bx - ax;
        const ey = by - ay;
        const t = Math.max(0, Math.min(1, ((x + 0.5 - ax) * ex + (y + 0.5 - ay) * ey) / (ex * ex + ey * ey || 1)));
        const d = Math.hypot(x + 0.5 - ax - t * ex, y + 0.5 - ay - t * ey);
        if (d < best) {
          best = d;
          at = (s + t) / (points.length - 1);
        }
      }
      const a = Math.min(1, Math.max(0, width / 2 + 0.5 - best));
      if (a > 0) blend(x, y, colourAt(at), a);
    }
  }
}

// Faint field arrows on a grid.
for (let gy = -1; gy <= 1.01; gy += 0.5) {
  for (let gx = -1; gx <= 1.01; gx += 0.5) {
    const [fu, fv] = field(gx, gy);
    const len = Math.hypot(fu, fv) || 1;
    const [x0, y0] = toPx(gx, gy);
    const [x1, y1] = toPx(gx + (0.16 * fu) / len, gy + (0.16 * fv) / len);
    stroke([[x0, y0], [x1, y1]], 1.6, () => [90, 110, 150]);
  }
}

// The trajectory from (1.1, 0), integrated with RK4.
const traj = [];
let u = 1.15;
let v = 0;
const h = 0.05;
for (let i = 0; i < 300; i++) {
  traj.push(toPx(u, v));
  const k1 = field(u, v);
  const k2 = field(u + (h / 2) * k1[0], v + (h / 2) * k1[1]);
  const k3 = field(u + (h / 2) * k2[0], v + (h / 2) * k2[1]);
  const k4 = field(u + h * k3[0], v + h * k3[1]);
  u += (h / 6) * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0]);
  v += (h / 6) * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1]);
}
stroke(traj, 5, (s) => mix([64, 214, 196], [255, 160, 64], s));

// Start point.
const [sx, sy] = traj[0];
for (let y = 0; y < N; y++) {
  for (let x = 0; x < N; x++) {
    const a = Math.min(1, Math.max(0, 7.5 - Math.hypot(x + 0.5 - sx, y + 0.5 - sy)));
    if (a > 0) blend(x, y, [236, 250, 255], a);
  }
}

// PNG: 8-bit RGBA, one filter byte per row.
const raw = Buffer.alloc(N * (N * 4 + 1));
for (let y = 0; y < N; y++) {
  raw[y * (N * 4 + 1)] = 0;
  for (let k = 0; k < N * 4; k++) raw[y * (N * 4 + 1) + 1 + k] = Math.round(rgba[y * N * 4 + k]);
}
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0);
ihdr.writeUInt32BE(N, 4);
ihdr.set([8, 6, 0, 0, 0], 8);
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, png);
console.log(`wrote ${path.relative(process.cwd(), out)} (${png.length} bytes)`);
