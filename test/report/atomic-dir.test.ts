import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { writeDirAtomic } from '../../src/report/atomic-dir.js';
import { toCsv, toStableJson } from '../../src/report/format.js';

describe('report/writeDirAtomic', () => {
  it('creates the directory with all files', () => {
    const parent = mkdtempSync(join(tmpdir(), 'gmpsim-atomic-'));
    writeDirAtomic(join(parent, 'a/b/run'), { 'x.txt': 'x', 'y.txt': 'y' });
    expect(readdirSync(join(parent, 'a/b/run')).sort()).to.deep.equal(['x.txt', 'y.txt']);
  });

  it('replaces an existing run directory whole (no stale files survive)', () => {
    const parent = mkdtempSync(join(tmpdir(), 'gmpsim-atomic-'));
    const dir = join(parent, 'run');
    mkdirSync(dir);
    writeFileSync(join(dir, 'stale.txt'), 'old');
    writeDirAtomic(dir, { 'new.txt': 'new' });
    expect(readdirSync(dir)).to.deep.equal(['new.txt']);
    expect(readdirSync(parent)).to.deep.equal(['run']);
  });

  it('on failure leaves the old directory intact and no temp dir behind', () => {
    const parent = mkdtempSync(join(tmpdir(), 'gmpsim-atomic-'));
    const dir = join(parent, 'run');
    mkdirSync(dir);
    writeFileSync(join(dir, 'keep.txt'), 'keep');
    // A file name with a missing subdirectory makes the write fail midway.
    expect(() => writeDirAtomic(dir, { 'ok.txt': 'ok', 'missing/sub.txt': 'boom' })).to.throw();
    expect(readdirSync(parent)).to.deep.equal(['run']);
    expect(readFileSync(join(dir, 'keep.txt'), 'utf8')).to.equal('keep');
  });
});

describe('report/format', () => {
  it('rounds to 9 significant digits and writes non-finite values as null / empty', () => {
    expect(toStableJson({ a: 1 / 3, b: NaN, c: 5 })).to.equal('{\n  "a": 0.333333333,\n  "b": null,\n  "c": 5\n}\n');
    expect(toCsv(['x', 'y'], [[1 / 3, NaN]])).to.equal('x,y\n0.333333333,\n');
  });
});
