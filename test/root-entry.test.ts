// The root entry `edgewise` is small: `createRuntime`, the error class and
// its guard as values, plus the core types (checked by tsc where they are
// used: README, examples). Every family comes through its own subpath
// (`edgewise/kernels`, `edgewise/anomaly`, ...), listed in package.json.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as root from '../src/index';

describe('the root entry', () => {
  it('exports createRuntime and EdgewiseError / isEdgewiseError as values, nothing else', () => {
    expect(Object.keys(root).sort()).toEqual(['EdgewiseError', 'createRuntime', 'isEdgewiseError']);
    expect(typeof root.createRuntime).toBe('function');
    const e = new root.EdgewiseError('INVALID_ARGUMENT', 'x');
    expect(root.isEdgewiseError(e, 'INVALID_ARGUMENT')).toBe(true);
  });

  it('the families it no longer re-exports are package subpaths', () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8'));
    for (const family of ['kernels', 'events', 'stream', 'metrics', 'anomaly', 'stats']) {
      expect(Object.keys(pkg.exports)).toContain(`./${family}`);
    }
  });
});
