import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { Journal } from '../../src/sweep/journal.js';

/**
 * The fault suite (issue 25): signals, a crash, two writers on one directory, a full disk and a
 * read-only directory, against the real CLI. Slower than the unit tests and, for the disk faults,
 * needs root to mount a small tmpfs (skipped with the reason printed otherwise). Run with
 * `npm run test:faults`; .ci/run runs it.
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = join(root, 'bin/gmpsim.js');
const gmpsim = (args: string[], cwd: string) =>
  spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: 300_000 });
const start = (args: string[], cwd: string) => spawn(process.execPath, [bin, ...args], { cwd });
const isRoot = process.getuid?.() === 0;

/** A sweep of 8 runs that each take a noticeable time, so signals land mid-sweep. */
const slowSweep = `name: slow
durationS: 150
workload: { arrival: { process: poisson, ratePerS: 400 } }
runtime: { gomaxprocs: 2 }
sweep:
  grid:
    runtime.gomaxprocs: [1, 2, 3, 4]
  replications: 2
`;

function until(cond: () => boolean, ms = 120_000): Promise<void> {
  const t0 = Date.now();
  return new Promise((res, rej) => {
    const tick = () =>
      cond() ? res() : Date.now() - t0 > ms ? rej(new Error('timed out waiting')) : setTimeout(tick, 50);
    tick();
  });
}

function exit(child: ChildProcess, stderr: { text: string }): Promise<number | null> {
  child.stderr!.on('data', (d: Buffer) => (stderr.text += d.toString()));
  return new Promise((r) => child.on('exit', (c) => r(c)));
}

const lines = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean).length : 0);
const results = (dir: string) =>
  Object.fromEntries(['runs.csv', 'points.csv', 'sweep.json'].map((f) => [f, readFileSync(join(dir, f), 'utf8')]));

describe('faults: signals, crashes, concurrent writers, full and read-only disks', function () {
  this.timeout(600_000);
  let dir: string;
  let clean: Record<string, string>;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gmpsim-faults-'));
    writeFileSync(join(dir, 'slow.yaml'), slowSweep);
    const r = gmpsim(['sweep', 'slow.yaml', '--out', 'clean', '--workers', '2', '--quiet'], dir);
    expect(r.status, r.stderr).to.equal(0);
    clean = results(join(dir, 'clean'));
  });

  it('SIGTERM stops a sweep like Ctrl-C and says how to resume; --resume finishes byte-identically', async () => {
    const child = start(['sweep', 'slow.yaml', '--out', 'term', '--workers', '2'], dir);
    const err = { text: '' };
    const done = exit(child, err);
    await until(() => lines(join(dir, 'term/runs.jsonl')) >= 1);
    child.kill('SIGTERM');
    expect(await done).to.equal(130);
    expect(err.text).to.match(
      /terminated \(SIGTERM\): \d+ of 8 runs kept in .*runs\.jsonl; rerun with --resume to finish/,
    );
    for (const f of ['runs.csv', 'points.csv', 'sweep.json', 'journal.lock'])
      expect(existsSync(join(dir, 'term', f)), f).to.equal(false);
    const r = gmpsim(['sweep', 'slow.yaml', '--out', 'term', '--workers', '2', '--resume', '--quiet'], dir);
    expect(r.status, r.stderr).to.equal(0);
    expect(results(join(dir, 'term'))).to.deep.equal(clean);
  });

  it(
    'a crash (SIGKILL) leaves a stale lock and a torn record: --resume takes the lock, drops the tail, ' +
      'finishes identically',
    async () => {
      const child = start(['sweep', 'slow.yaml', '--out', 'crash', '--workers', '2'], dir);
      const done = exit(child, { text: '' });
      await until(() => lines(join(dir, 'crash/runs.jsonl')) >= 1);
      child.kill('SIGKILL');
      await done;
      expect(existsSync(join(dir, 'crash/journal.lock')), 'the dead process left its lock').to.equal(true);
      // A write cut short by the crash (or a full disk): half a record, no newline.
      const whole = readFileSync(join(dir, 'crash/runs.jsonl'), 'utf8').split('\n')[0]!;
      appendFileSync(join(dir, 'crash/runs.jsonl'), whole.slice(0, 60));
      const r = gmpsim(['sweep', 'slow.yaml', '--out', 'crash', '--workers', '2', '--resume', '--quiet'], dir);
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stderr).to.match(/note: dropped a torn record at the end of .*runs\.jsonl/);
      expect(lines(join(dir, 'crash/runs.jsonl'))).to.equal(8);
      expect(results(join(dir, 'crash'))).to.deep.equal(clean);
    },
  );

  it(
    'a second sweep on a directory being written is refused (with or without --resume); the first is ' + 'undisturbed',
    async () => {
      writeFileSync(join(dir, 'slower.yaml'), slowSweep.replace('durationS: 150', 'durationS: 3000'));
      const child = start(['sweep', 'slower.yaml', '--out', 'busy', '--workers', '1'], dir);
      const err = { text: '' };
      const done = exit(child, err);
      await until(() => existsSync(join(dir, 'busy/journal.lock')) && existsSync(join(dir, 'busy/journal-meta.json')));
      for (const extra of [[], ['--resume']]) {
        const r = gmpsim(['sweep', 'slower.yaml', '--out', 'busy', '--workers', '1', ...extra], dir);
        expect(r.status, r.stderr).to.equal(2);
        expect(r.stderr.split('\n')[0]).to.equal(
          `error: busy: another gmpsim (pid ${child.pid}) is writing this sweep; wait for it to finish or use ` +
            `another --out`,
        );
      }
      const m = gmpsim(['merge', 'busy', '--out', 'busy-merged'], dir);
      expect(m.status).to.equal(2);
      expect(m.stderr).to.match(/still being written by gmpsim pid/);
      // The first writer was not disturbed: its journal is still its own, and it stops cleanly.
      expect(child.exitCode, err.text).to.equal(null);
      expect(existsSync(join(dir, 'busy/journal-meta.json'))).to.equal(true);
      child.kill('SIGINT');
      expect(await done, err.text).to.equal(130);
      expect(err.text).to.match(/^interrupted: \d+ of 8 runs kept/m);
      expect(existsSync(join(dir, 'busy/journal.lock'))).to.equal(false);
      expect(new Journal(join(dir, 'busy')).read().tornTail).to.equal(false);
    },
  );

  describe('disks (a small tmpfs, mounted by the test)', () => {
    const mounts: string[] = [];
    const mount = (opts: string): string => {
      const m = mkdtempSync(join(tmpdir(), 'gmpsim-tmpfs-'));
      const r = spawnSync('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', m], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`mount failed: ${r.stderr}`);
      mounts.push(m);
      return m;
    };
    let canMount = isRoot;
    before(function () {
      if (!isRoot) {
        console.log('    (skipped: the disk faults mount a tmpfs and need root; run as root to include them)');
        this.skip();
      }
      try {
        spawnSync('umount', [mount('size=1m')]);
        mounts.pop();
      } catch (e) {
        canMount = false;
        console.log(`    (skipped: cannot mount a tmpfs here: ${(e as Error).message.trim()})`);
        this.skip();
      }
    });
    after(() => {
      for (const m of mounts) spawnSync('umount', [m]);
    });

    it('a nearly full disk is refused before simulating (exit 2), nothing written', function () {
      if (!canMount) this.skip();
      const m = mount('size=4m');
      writeFileSync(join(dir, 'small.yaml'), 'durationS: 2\n');
      const r = gmpsim(['run', 'small.yaml', '--out', join(m, 'r')], dir);
      expect(r.status).to.equal(2);
      expect(r.stderr).to.match(
        /^error: --out .*\/r: only \d+ KiB free on the device of .* \(need at least 16 MiB\)\n$/,
      );
      expect(existsSync(join(m, 'r'))).to.equal(false);
    });

    it('a disk that fills during the run: one line naming the path, exit 1, the earlier results kept', function () {
      if (!canMount) this.skip();
      const m = mount('size=24m');
      writeFileSync(join(dir, 'small.yaml'), 'durationS: 2\n');
      expect(gmpsim(['run', 'small.yaml', '--out', join(m, 'r'), '--quiet'], dir).status).to.equal(0);
      const earlier = readFileSync(join(m, 'r/summary.json'), 'utf8');
      // Leave just over the 16 MiB the check asks for; this run's time series needs more than the rest.
      const fs = statfsSync(m);
      const fill = fs.bavail * fs.bsize - 16 * 1024 * 1024 - 64 * 1024;
      writeFileSync(join(m, 'filler'), Buffer.alloc(fill));
      writeFileSync(
        join(dir, 'long.yaml'),
        'durationS: 20000\nmetrics: { sampleIntervalMs: 100 }\nworkload: { arrival: { process: poisson, ' +
          'ratePerS: 5 } }\n',
      );
      const r = gmpsim(['run', 'long.yaml', '--out', join(m, 'r')], dir);
      expect(r.status, r.stderr).to.equal(1);
      expect(r.stderr).to.equal(
        `error: cannot write ${join(m, 'r')}: ENOSPC (no space left on the device); earlier results there are ` +
          `unchanged\n`,
      );
      expect(readFileSync(join(m, 'r/summary.json'), 'utf8')).to.equal(earlier);
      expect(spawnSync('ls', ['-A', m], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).sort()).to.deep.equal([
        'filler',
        'r',
      ]);
    });

    it('a read-only directory is refused before simulating (exit 2)', function () {
      if (!canMount) this.skip();
      const m = mount('size=1m,ro');
      writeFileSync(join(dir, 'small.yaml'), 'durationS: 2\n');
      for (const args of [
        ['run', 'small.yaml'],
        ['sweep', 'slow.yaml'],
        ['compare', 'small.yaml'],
      ]) {
        if (args[0] === 'compare') writeFileSync(join(dir, 'small.yaml'), 'durationS: 2\nvariants: [{ name: a }]\n');
        const r = gmpsim([...args, '--out', join(m, 'out')], dir);
        expect(r.status, args.join(' ')).to.equal(2);
        expect(r.stderr).to.equal(`error: --out ${join(m, 'out')}: ${m} is not writable\n`);
      }
    });
  });

  it('a directory made read-only (permissions) is refused before simulating when not root', function () {
    if (isRoot) this.skip(); // root writes through permissions; the ro tmpfs case above covers it
    const ro = join(dir, 'ro');
    mkdirSync(ro, { mode: 0o555 });
    const r = gmpsim(['run', 'slow.yaml', '--out', join(ro, 'r')], dir);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/is not writable/);
  });
});
