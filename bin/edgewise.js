#!/usr/bin/env node
// The `edgewise` command (see src/cli.ts); runs the built library in dist/.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('edgewise: dist/cli.js is missing; run `npm run build` first.');
  process.exit(2);
}
const { main } = await import(cli.href);
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  // main() reports every expected failure itself; this is a bug in the CLI.
  console.error(`edgewise: internal error: ${e instanceof Error ? e.stack : String(e)}`);
  process.exitCode = 2;
}
