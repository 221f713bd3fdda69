// The app version is injected at build time from package.json (vite.config.ts `define`, declared
// in src/vite-env.d.ts). Read at call time and guarded: tests run without that define.
export function appVersion(): string | null {
  return typeof __APP_VERSION__ === 'string' ? __APP_VERSION__ : null;
}
