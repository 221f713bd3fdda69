// The registry this project installs from does not serve every platform build of some native
// packages (Biome, Rollup): `npm install` then leaves them out of package-lock.json while keeping
// them in their parent's optionalDependencies, and `npm ci` refuses the lock as out of sync.
// This drops those unresolvable optional edges so `npm ci` works. Run after any `npm install`.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const present = new Set(
  Object.keys(lock.packages).map((p) => p.slice(p.lastIndexOf('node_modules/') + 13)),
);
let dropped = 0;
for (const entry of Object.values(lock.packages)) {
  if (!entry.optionalDependencies) continue;
  for (const name of Object.keys(entry.optionalDependencies)) {
    if (!present.has(name)) {
      delete entry.optionalDependencies[name];
      dropped++;
    }
  }
  if (Object.keys(entry.optionalDependencies).length === 0) delete entry.optionalDependencies;
}
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: ${dropped} unresolvable optional dependencies dropped`);
