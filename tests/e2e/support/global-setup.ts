// The scenarios run the built app: build it when dist/ is missing (a stale dist/ is the caller's:
// README.md says to run `npm run build` first).
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export default function globalSetup(): void {
  if (!existsSync('dist/index.html')) execSync('npm run build', { stdio: 'inherit' });
}
