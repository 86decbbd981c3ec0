import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { tuneV8, V8_TUNING } from '../../src/cli/v8-tuning.js';

/**
 * The CLI's V8 settings (src/cli/v8-tuning.ts, issue 24 item 1): each flag is one this Node's V8 knows (V8
 * only prints "unrecognized flag" on stderr and runs on without it, so a renamed flag would silently cost
 * the speed), the entry points apply them, and GMPSIM_V8_TUNING=0 leaves V8's defaults.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const tuning = pathToFileURL(join(root, 'dist/src/cli/v8-tuning.js')).href;

function runTune(env: Record<string, string>): { stderr: string; status: number | null } {
  const r = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', `(await import(${JSON.stringify(tuning)})).tuneV8()`],
    {
      env: { ...process.env, ...env },
      encoding: 'utf8',
    },
  );
  return { stderr: r.stderr, status: r.status };
}

describe('cli/v8-tuning', () => {
  it('every flag is one V8 knows (no "unrecognized flag" on stderr), each with its reason', () => {
    expect(V8_TUNING.length).to.be.greaterThan(0);
    for (const t of V8_TUNING) {
      expect(t.flag).to.match(/^--[a-z0-9-]+(=\S+)?$/);
      expect(t.why.length, t.flag).to.be.greaterThan(40);
    }
    const r = runTune({ GMPSIM_V8_TUNING: '' });
    expect(r.status).to.equal(0);
    expect(r.stderr).to.equal('');
  });

  it('each flag is listed by `node --v8-options` (the option the string names exists here)', () => {
    const options = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8' }).stdout;
    for (const t of V8_TUNING) expect(options, t.flag).to.include(`  ${t.flag.split('=')[0]} `);
  });

  it('the CLI and the benchmarks that time the model apply them before simulating', () => {
    const cases = [
      { file: 'bench/cluster.ts', from: "from '../src/cli/v8-tuning.js'" },
      { file: 'bench/fleet.ts', from: "from '../src/cli/v8-tuning.js'" },
    ];
    for (const c of cases) {
      const src = readFileSync(join(root, c.file), 'utf8');
      expect(src, c.file).to.include(`import { tuneV8 } ${c.from}`);
      expect(src, c.file).to.match(/^\s*tuneV8\(\);$/m);
    }
    // The CLI: each command that simulates, first thing in its action (not at start: see main.ts).
    const main = readFileSync(join(root, 'src/cli/main.ts'), 'utf8');
    for (const command of ['run', 'compare', 'sweep', 'tune']) {
      const at = main.indexOf(`.command('${command}')`);
      const action = main.indexOf('.action(async', at);
      expect(at, command).to.be.greaterThan(0);
      expect(main.slice(action, main.indexOf(`import('./${command}-command.js')`, action)), command).to.include(
        'tuneV8();',
      );
    }
  });

  it('GMPSIM_V8_TUNING=0 sets nothing; unset or anything else sets every flag', () => {
    const cases = [
      { name: '0: V8 defaults', env: { GMPSIM_V8_TUNING: '0' }, want: [] as string[] },
      { name: 'unset', env: {}, want: V8_TUNING.map((t) => t.flag) },
      { name: '1', env: { GMPSIM_V8_TUNING: '1' }, want: V8_TUNING.map((t) => t.flag) },
    ];
    for (const c of cases) expect(tuneV8(c.env), c.name).to.deep.equal(c.want);
  });
});
