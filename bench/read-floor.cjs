// @ts-check
// The least any Node process can take to search a tree whose files hold no match (as for the
// `content-cli-290` classes grep lists no file for): it must read every byte, and this reads
// them and does nothing else, as mig's own reads do (1 MiB readSync into one buffer, file after
// file). No search, no lines, no output. CommonJS and no imports: Node's own start and nothing
// more. `node bench/read-floor.cjs DIR` prints the bytes read.
'use strict';
const { closeSync, openSync, readSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: node bench/read-floor.cjs DIR');
const buffer = Buffer.allocUnsafe(1024 * 1024);
let bytes = 0;
for (const name of readdirSync(dir)) {
  const fd = openSync(join(dir, name), 'r');
  try {
    for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) bytes += n;
  } finally {
    closeSync(fd);
  }
}
process.stdout.write(`${bytes}\n`);
