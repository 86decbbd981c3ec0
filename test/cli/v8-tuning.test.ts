import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { UsageError } from '../../src/cli/errors.js';
import { tuneV8, tuneV8For, V8_TUNING } from '../../src/cli/v8-tuning.js';

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

  it('the benchmarks that time the model apply them before simulating', () => {
    const cases = [
      { file: 'bench/cluster.ts', from: "from '../src/cli/v8-tuning.js'" },
      { file: 'bench/fleet.ts', from: "from '../src/cli/v8-tuning.js'" },
    ];
    for (const c of cases) {
      const src = readFileSync(join(root, c.file), 'utf8');
      expect(src, c.file).to.include(`import { tuneV8 } ${c.from}`);
      expect(src, c.file).to.match(/^\s*tuneV8\(\);$/m);
    }
  });

  // The CLI: main.ts's preAction hook applies them for each command that simulates. Seen from outside: a
  // bad GMPSIM_V8_TUNING stops exactly those commands, before they read or write anything.
  const cli = join(root, 'bin/gmpsim.js');
  const gmpsim = (args: string[], env: Record<string, string>) =>
    spawnSync(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', cwd: root });
  it('every command `gmpsim --help` lists is in the table of commands that simulate or not', () => {
    const help = gmpsim(['--help'], {}).stdout;
    const listed = [...help.slice(help.indexOf('Commands:')).matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]!);
    const simulates: Record<string, boolean> = {
      run: true,
      compare: true,
      sweep: true,
      tune: true,
      merge: false,
      report: false,
      validate: false,
      export: false,
      import: false,
      help: false,
    };
    expect(listed.length).to.be.greaterThan(5);
    for (const c of listed) {
      expect(simulates, `${c}: add it to this table (does it simulate?)`).to.have.property(c);
      expect(tuneV8For(c, {}).length > 0, c).to.equal(simulates[c]);
    }
  });
  it('a command that simulates applies them before its action; validate does not (GMPSIM_V8_TUNING=abc)', () => {
    const file = join(root, 'scenarios/breaker-trip-recover.yaml');
    const out = join(mkdtempSync(join(tmpdir(), 'gmpsim-v8-')), 'run');
    const cases = [
      { args: ['run', file, '--out', out], status: 2 },
      { args: ['compare', file], status: 2 },
      { args: ['sweep', file], status: 2 },
      { args: ['tune', file], status: 2 },
      { args: ['validate', file], status: 0 },
    ];
    for (const c of cases) {
      const r = gmpsim(c.args, { GMPSIM_V8_TUNING: 'abc' });
      expect(r.status, `${c.args[0]}: ${r.stderr}`).to.equal(c.status);
      if (c.status === 2) {
        expect(r.stderr, c.args[0]).to.equal(
          "error: GMPSIM_V8_TUNING: expected 0 (V8's defaults) or 1 (gmpsim's settings, the default), found 'abc'\n",
        );
      }
    }
    expect(existsSync(out), 'nothing written').to.equal(false);
  });

  it('GMPSIM_V8_TUNING=0 sets nothing; unset, empty or 1 sets every flag; anything else is a usage error', () => {
    const cases = [
      { name: '0: V8 defaults', env: { GMPSIM_V8_TUNING: '0' }, want: [] as string[] },
      { name: 'unset', env: {}, want: V8_TUNING.map((t) => t.flag) },
      { name: '1', env: { GMPSIM_V8_TUNING: '1' }, want: V8_TUNING.map((t) => t.flag) },
      { name: 'empty', env: { GMPSIM_V8_TUNING: '' }, want: V8_TUNING.map((t) => t.flag) },
    ];
    for (const c of cases) expect(tuneV8(c.env), c.name).to.deep.equal(c.want);
    for (const bad of ['abc', 'true', ' 0', '2']) {
      expect(() => tuneV8({ GMPSIM_V8_TUNING: bad }), bad).to.throw(UsageError, `found '${bad}'`);
    }
  });
});
