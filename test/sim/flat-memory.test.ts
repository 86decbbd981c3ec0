import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * Peak RSS of `gmpsim run` on test/fixtures/flat-memory.yaml (an HPA over three to eight pods) for
 * durationS seconds, in a child process. The child's old generation is capped at 48 MB: V8 otherwise lets
 * garbage pile up to ≈ 90 MB before its first full collection, which a long run reaches and an hour does
 * not, so the peak would measure how lazily V8 collects rather than what the run keeps. With the cap, a run
 * whose live memory grew with simulated time would run out of heap and fail here.
 */
function peakRss(durationS: number): { peakRssMB: number; rows: number } {
  const dir = mkdtempSync(join(tmpdir(), 'gmpsim-flat-'));
  const text = readFileSync(join(root, 'test/fixtures/flat-memory.yaml'), 'utf8');
  const file = join(dir, 'flat.yaml');
  writeFileSync(file, text.replace(/^durationS: \d+$/m, `durationS: ${durationS}`));
  const out = join(dir, 'run');
  const stdout = execFileSync(
    process.execPath,
    ['--max-old-space-size=48', join(root, 'dist/bench/rss-run.js'), file, out],
    { encoding: 'utf8' },
  );
  const last = stdout.trimEnd().split('\n').at(-1)!;
  const rows = readFileSync(join(out, 'timeseries.csv'), 'utf8').split('\n').length - 2;
  return { peakRssMB: JSON.parse(last).peakRssMB, rows };
}

describe('flat memory in simulated time (issue 24)', function () {
  this.timeout(600_000);

  it("a 24-hour run's peak RSS is within 20 % of a 1-hour run's (HPA, several pods)", () => {
    const hour = peakRss(3600);
    const day = peakRss(86_400);
    expect(hour.rows).to.equal(3600);
    expect(day.rows).to.equal(86_400);
    expect(day.peakRssMB / hour.peakRssMB, `hour ${hour.peakRssMB} MB, day ${day.peakRssMB} MB`).to.be.at.most(1.2);
  });
});
