// Writes a .gz beside every compressible file of dist/ (the hub serves it to browsers that accept gzip) and
// prints the app's gzipped size. Fails the build when it reaches the 300 KB budget of issue #9.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = new URL('../dist/', import.meta.url).pathname;
const budget = 300 * 1024;
const compressible = /\.(js|css|html|svg|json|txt|webmanifest)$/;

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}

let raw = 0;
let gzipped = 0;
for (const path of [...walk(dist)]) {
  if (path.endsWith('.gz')) continue;
  const bytes = readFileSync(path);
  raw += bytes.length;
  if (!compressible.test(path)) {
    gzipped += bytes.length;
    continue;
  }
  const gz = gzipSync(bytes, { level: 9 });
  gzipped += gz.length;
  if (gz.length < bytes.length) writeFileSync(path + '.gz', gz);
  console.log(`  ${relative(dist, path).padEnd(40)} ${String(bytes.length).padStart(8)} B  gzip ${gz.length} B`);
}

const kb = (n) => (n / 1024).toFixed(1) + ' KB';
console.log(`web app size: ${kb(raw)} raw, ${kb(gzipped)} gzipped (budget ${kb(budget)})`);
if (gzipped >= budget) {
  console.error('web app is over its gzipped size budget');
  process.exit(1);
}
