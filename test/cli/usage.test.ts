import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { loadScenarioFile, ScenarioError } from '../../src/scenario/load.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const gmpsim = (args: string[]) =>
  spawnSync(process.execPath, [join(root, 'bin/gmpsim.js'), ...args], { cwd: root, encoding: 'utf8' });

function scenario(text: string): string {
  const f = join(mkdtempSync(join(tmpdir(), 'gmpsim-usage-')), 's.yaml');
  writeFileSync(f, text);
  return f;
}

describe('cli usage details (issue 19, item 7)', () => {
  it('a bare gmpsim prints the usage to stderr and exits 2', () => {
    const r = gmpsim([]);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/^Usage: gmpsim /);
    expect(r.stdout).to.equal('');
  });

  it("run --help states --trace-window's default once (the whole run)", () => {
    const help = gmpsim(['run', '--help']).stdout;
    expect(help.replace(/\s+/g, ' ').match(/default: the whole run/g)).to.have.length(1);
  });

  it('--trace on a scenario that is not the Go model records its pods and cluster (no scheduler tracks)', () => {
    const f = scenario('durationS: 1\nruntime: { scheduler: ideal-fifo }\n');
    const out = join(dirname(f), 'trace.json');
    const r = gmpsim(['run', f, '--out', join(dirname(f), 'out-t'), '--quiet', '--trace', out]);
    expect(r.status, r.stderr).to.equal(0);
    const names = (
      JSON.parse(readFileSync(out, 'utf8')) as { traceEvents: { ph: string; name: string; args?: { name?: string } }[] }
    ).traceEvents
      .filter((e) => e.ph === 'M' && e.name === 'process_name')
      .map((e) => e.args!.name!);
    expect(names.some((n) => /^cluster/.test(n)) && names.some((n) => /^pod-0 /.test(n))).to.equal(true);
  });

  for (const flag of [['--schedtrace', '100'], ['--gctrace']]) {
    it(`${flag[0]} on a scenario that is not the Go model exits 2 saying so, before simulating`, () => {
      const f = scenario('durationS: 1\nruntime: { scheduler: ideal-fifo }\n');
      const r = gmpsim(['run', f, '--out', join(dirname(f), 'out'), ...flag]);
      expect(r.status).to.equal(2);
      expect(r.stderr).to.match(new RegExp(`^error: ${flag[0]} needs runtime\\.scheduler: gmp`));
    });
  }

  it('gogc "100" (as an env value is written) reads as 100; a bad gogc names gogc, not steps', () => {
    expect(loadScenarioFile(scenario('runtime: { gc: { gogc: "100" } }\n')).runtime.gc.gogc).to.equal(100);
    expect(loadScenarioFile(scenario('runtime: { gc: { gogc: "off" } }\n')).runtime.gc.gogc).to.equal('off');
    try {
      loadScenarioFile(scenario('runtime: { gc: { gogc: "lots" } }\n'));
      expect.fail('accepted');
    } catch (e) {
      expect(e).to.be.instanceOf(ScenarioError);
      expect((e as Error).message).to.match(
        /runtime\.gc\.gogc: expected a number or one of "off", found the string "lots"$/,
      );
    }
  });
});
