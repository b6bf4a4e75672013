// npm run verify: types are real under nodenext (a deliberate error fails with
// TS2322), the program type-checks with skipLibCheck false, compiles and runs.
import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const tsc = (args) =>
  spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', ...args], {
    cwd: here,
    encoding: 'utf8',
  });
const fail = (msg) => {
  console.error(`node-esm verify: ${msg}`);
  process.exit(1);
};

const wrong = tsc(['-p', 'type-errors']);
if (wrong.status === 0) fail('type-errors/wrong.ts compiled: the package types resolve to any');
if (!/TS2322/.test(wrong.stdout)) fail(`expected TS2322 from wrong.ts, got:\n${wrong.stdout}`);
console.log('ok: a wrong assignment fails to compile (TS2322): the types are real');

const build = tsc(['-p', '.']);
if (build.status !== 0)
  fail(`tsc (nodenext, skipLibCheck: false) failed:\n${build.stdout}${build.stderr}`);
console.log('ok: tsc with module/moduleResolution nodenext and skipLibCheck false');

const runMain = spawnSync(process.execPath, ['out/main.js'], { cwd: here, encoding: 'utf8' });
process.stdout.write(runMain.stdout);
process.stderr.write(runMain.stderr);
if (runMain.status !== 0) fail(`out/main.js exited with ${runMain.status}`);
