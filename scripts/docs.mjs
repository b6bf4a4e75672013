// npm run docs: the API reference (TypeDoc, typedoc.json) into docs/api/,
// failing on any warning (treatWarningsAsErrors), e.g. an exported symbol
// without a doc comment. TypeDoc needs the TypeScript 5.9 compiler API; the
// repository type-checks with TypeScript 7, which has none, so TypeDoc and its
// TypeScript are installed in their own package, scripts/typedoc/ (a `file:`
// devDependency that `npm ci` installs).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'scripts', 'typedoc', 'package.json'));
let bin;
try {
  bin = join(dirname(require.resolve('typedoc/package.json')), 'bin', 'typedoc');
} catch {
  console.error(
    'npm run docs: TypeDoc is not installed; run `npm ci` (it installs scripts/typedoc).',
  );
  process.exit(2);
}
const r = spawnSync(process.execPath, [bin, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
