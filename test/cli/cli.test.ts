import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = join(root, 'bin/gmpsim.js');

function gmpsim(args: string[], cwd = root) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'gmpsim-cli-'));
}

/** A small scenario file in a temp dir. */
function scenarioFile(text: string, name = 'small.yaml'): string {
  const f = join(tmp(), name);
  writeFileSync(f, text);
  return f;
}

const small = 'durationS: 5\nworkload: {arrival: {process: poisson, ratePerS: 500}}\nruntime: {gomaxprocs: 2}\n';

describe('cli', () => {
  it('--help and --version exit 0', () => {
    const h = gmpsim(['--help']);
    expect(h.code).to.equal(0);
    expect(h.stdout).to.contain('run [options] <file>');
    expect(gmpsim(['--version']).stdout.trim()).to.match(/^\d+\.\d+\.\d+$/);
  });

  it('run writes summary.json, timeseries.csv and scenario.resolved.yaml, and prints a table', () => {
    const out = join(tmp(), 'run');
    const r = gmpsim(['run', scenarioFile(small), '--out', out]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/latency ms\s+mean/);
    expect(readdirSync(out).sort()).to.deep.equal([
      '.gmpsim-results',
      'scenario.resolved.yaml',
      'summary.json',
      'timeseries.csv',
    ]);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.scenario).to.equal('small');
    expect(summary.requests.completed).to.be.greaterThan(2000);
    const csv = readFileSync(join(out, 'timeseries.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).to.equal(
      't_s,arrivals_per_s,completions_per_s,in_flight,runnable,running,utilization,replicas_desired,replicas_rea' +
        'dy,pods_pending,latency_p50_ms,latency_p99_ms,' +
        'global_runq,local_runq,in_syscall,waiting,goroutines,threads,idle_threads,spinning_threads,steals_per_s' +
        ',preemptions_per_s,handoffs_per_s,throttled_periods_per_s,throttled_ms_per_s,heap_live_mb,heap_goal_m' +
        'b,stack_mb,rss_mb,gc_cycles_per_s,gc_cpu_ms_per_s,gc_assist_ms_per_s,gc_pause_ms_per_s,cross_node_s' +
        'teals_per_s,remote_cpu_ms_per_s,' +
        'latency_le_0.1ms,latency_le_0.25ms,latency_le_0.5ms,latency_le_1ms,latency_le_2.5ms,latency_le_5ms,late' +
        'ncy_le_10ms,latency_le_25ms,' +
        'latency_le_50ms,latency_le_100ms,latency_le_250ms,latency_le_500ms,latency_le_1000ms,latency_le_2500ms,' +
        'latency_le_5000ms,latency_le_10000ms,latency_le_inf',
    );
    expect(csv).to.have.length(6); // header + one row per simulated second
  });

  it('defaults to results/<name>/seed-<seed>/ under the working directory, leaving no temp dirs', () => {
    const cwd = tmp();
    const r = gmpsim(['run', scenarioFile(small, 'named.yaml'), '--seed', '7', '--quiet'], cwd);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout.trim()).to.equal(join('results', 'named', 'seed-7'));
    expect(existsSync(join(cwd, 'results/named/seed-7/summary.json'))).to.equal(true);
    expect(readdirSync(join(cwd, 'results/named'))).to.deep.equal(['seed-7']);
  });

  it('same scenario and seed twice: byte-identical files; the resolved scenario reproduces the run', () => {
    const f = scenarioFile(small);
    const [a, b, c] = [tmp(), tmp(), tmp()].map((d) => join(d, 'run'));
    expect(gmpsim(['run', f, '--seed', '3', '--out', a!]).code).to.equal(0);
    expect(gmpsim(['run', f, '--seed', '3', '--out', b!]).code).to.equal(0);
    expect(gmpsim(['run', join(a!, 'scenario.resolved.yaml'), '--out', c!]).code).to.equal(0);
    for (const file of ['summary.json', 'timeseries.csv', 'scenario.resolved.yaml']) {
      const ref = readFileSync(join(a!, file));
      expect(readFileSync(join(b!, file)).equals(ref), file).to.equal(true);
      expect(readFileSync(join(c!, file)).equals(ref), `${file} from resolved`).to.equal(true);
    }
  });

  it('--json prints the summary as parseable JSON and nothing else', () => {
    const r = gmpsim(['run', scenarioFile(small), '--json', '--out', join(tmp(), 'j')]);
    expect(r.code).to.equal(0);
    const parsed = JSON.parse(r.stdout);
    expect(parsed.summary.gomaxprocs).to.equal(2);
    expect(r.stderr).to.equal('');
  });

  it('invalid scenario: one line per problem on stderr, exit 2, no results written', () => {
    const cwd = tmp();
    const f = scenarioFile('durationS: -1\nworkload:\n  arival: {}\n', 'bad.yaml');
    const r = gmpsim(['run', f], cwd);
    expect(r.code).to.equal(2);
    expect(r.stderr.trim().split('\n')).to.deep.equal([
      `error: ${f}:1:12: durationS: expected a number > 0, found -1`,
      `error: ${f}:3:3: workload.arival: unknown key "arival" (did you mean "arrival"?) (expected one of: ` +
        `arrival, request, client)`,
    ]);
    expect(existsSync(join(cwd, 'results'))).to.equal(false);
  });

  it('unknown fault type, step kind, metric name, autoscaler: file:line:col and path on stderr, exit 2', () => {
    const cwd = tmp();
    const f = scenarioFile(
      'workload:\n  request:\n    steps: [{sleeep: {dist: constant}}]\nhpa:\n  maxReplicas: 3\n  metrics:\n' +
        '    - {type: External, external: {metric: {name: ingress_rps}, target: {type: Value, value: 5}}}\n' +
        'faults: [{type: node-los, atS: 1}]\nkedaa: {}\n',
      'kinds.yaml',
    );
    const r = gmpsim(['run', f], cwd);
    expect(r.code).to.equal(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).to.have.length(4);
    const at = (lc: string, path: string) => `error: ${f}:${lc}: ${path}: `;
    expect(lines[0]).to.satisfy((l: string) => l.startsWith(at('3:13', 'workload.request.steps[0]')));
    expect(lines[0]).to.satisfy((l: string) => l.endsWith('found key(s) sleeep (did you mean "sleep"?)'));
    expect(lines[1]).to.satisfy((l: string) => l.startsWith(at('7:50', 'hpa.metrics[0].external.metric.name')));
    expect(lines[1]).to.satisfy((l: string) => l.endsWith('found the string "ingress_rps"'));
    expect(lines[2]).to.satisfy((l: string) => l.startsWith(at('8:17', 'faults[0].type')));
    expect(lines[2]).to.satisfy((l: string) => l.endsWith('found the string "node-los" (did you mean "node-loss"?)'));
    const unknownKey = 'unknown key "kedaa" (did you mean "keda"?)';
    expect(lines[3]).to.satisfy((l: string) => l.startsWith(at('9:1', 'kedaa') + unknownKey));
    expect(existsSync(join(cwd, 'results'))).to.equal(false);
  });

  it('missing file, bad --seed and unknown commands exit 2', () => {
    const missing = gmpsim(['run', '/no/such.yaml']);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.contain('/no/such.yaml: file not found');
    const seed = gmpsim(['run', scenarioFile(small), '--seed', '-3']);
    expect(seed.code).to.equal(2);
    expect(seed.stderr).to.contain('--seed');
    expect(gmpsim(['frobnicate']).code).to.equal(2);
  });

  it('validate: ok files print ok, bad ones print problems, exit 2 if any is bad', () => {
    const good = scenarioFile(small);
    const bad = scenarioFile('runtime: {gomaxprocs: 0}\n', 'bad.yaml');
    const ok = gmpsim(['validate', good]);
    expect(ok.code).to.equal(0);
    expect(ok.stdout).to.contain(`ok     ${good}`);
    const mixed = gmpsim(['validate', good, bad]);
    expect(mixed.code).to.equal(2);
    expect(mixed.stderr).to.contain(`${bad}:1:23: runtime.gomaxprocs: expected a number ≥ 1, found 0`);
  });

  it("validate and run warn (stderr, exit 0) when a density controller's α × periodS makes its loop oscillate", () => {
    const f = scenarioFile(
      'durationS: 2\nworkload: {arrival: {process: poisson, ratePerS: 50}}\ndensityController: {alpha: 0.2, ' +
        'periodS: 15}\n',
      'dens.yaml',
    );
    const v = gmpsim(['validate', f]);
    expect(v.code).to.equal(0);
    expect(v.stderr).to.contain(
      `warning: ${f}: densityController: α × periodS = 3.00 ≥ 2: the discrete loop is unstable`,
    );
    const r = gmpsim(['run', f, '--out', join(tmp(), 'r'), '--quiet']);
    expect(r.code).to.equal(0);
    expect(r.stderr).to.match(/warning: .*keep α ≤ 1\/periodS = 0\.0667/);
    expect(gmpsim(['validate', scenarioFile('densityController: {alpha: 0.05}\n', 'ok.yaml')]).stderr).to.equal('');
  });

  it('--schedtrace prints SCHED lines on stderr from simulated time; bad values exit 2', () => {
    const r = gmpsim(['run', scenarioFile(small), '--schedtrace', '1000', '--json', '--out', join(tmp(), 's')]);
    expect(r.code, r.stderr).to.equal(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines).to.have.length(6); // t = 0, 1, ..., 5 s
    expect(lines[0]).to.match(
      /^SCHED 0ms: gomaxprocs=2 idleprocs=2 threads=\d+ spinningthreads=0 idlethreads=\d+ runqueue=0 \[0 0\]$/,
    );
    expect(lines[5]).to.match(/^SCHED 5000ms: /);
    JSON.parse(r.stdout);
    expect(gmpsim(['run', scenarioFile(small), '--schedtrace', '-5']).code).to.equal(2);
    expect(gmpsim(['run', scenarioFile(small), '--scheddetail']).code).to.equal(2);
  });

  it('--trace writes Chrome/Perfetto JSON for the window: G slices per P and M, preemption instants', () => {
    const file = join(tmp(), 'trace.json');
    const r = gmpsim([
      'run',
      join(root, 'scenarios/sysmon-preemption-hog.yaml'),
      '--trace',
      file,
      '--trace-window',
      '0:0.2',
      '--quiet',
      '--out',
      join(tmp(), 't'),
    ]);
    expect(r.code, r.stderr).to.equal(0);
    const ev = JSON.parse(readFileSync(file, 'utf8')).traceEvents as Array<{
      ph: string;
      name: string;
      ts?: number;
      dur?: number;
      tid: number;
    }>;
    const slices = ev.filter((e) => e.ph === 'X');
    expect(slices.length).to.be.greaterThan(10);
    expect(slices.every((e) => e.ts! >= 0 && e.ts! + e.dur! <= 200_000 + 1e-6)).to.equal(true); // µs, inside the window
    expect(slices.some((e) => e.tid === 0) && slices.some((e) => e.tid >= 1000)).to.equal(true); // P and M tracks
    expect(ev.filter((e) => e.ph === 'i' && e.name === 'preempt').length).to.be.greaterThan(5);
    expect(gmpsim(['run', scenarioFile(small), '--trace', file, '--trace-window', '5:1']).code).to.equal(2);
  });

  it('--trace caps its size with a clear warning; its options need --trace; bad pod lists exit 2', () => {
    const file = join(tmp(), 'capped.json');
    const r = gmpsim([
      'run',
      join(root, 'scenarios/sysmon-preemption-hog.yaml'),
      '--trace',
      file,
      '--trace-max-events',
      '1000',
      '--quiet',
      '--out',
      join(tmp(), 'c'),
    ]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.match(
      new RegExp(
        /warning: --trace: the trace holds the first 1,000 events; .* after [\d.]+ s of simulated time w/.source +
          /ere not recorded \(narrow --trace-window, choose pods with --trace-pods, or raise --trace-max-events\)/
            .source,
      ),
    );
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { metadata: Record<string, unknown> };
    expect(doc.metadata['gmpsim-truncated-at-s']).to.be.a('number');
    const noTrace = gmpsim(['run', scenarioFile(small), '--trace-pods', '0', '--quiet', '--out', join(tmp(), 'n')]);
    expect(noTrace.code).to.equal(2);
    expect(noTrace.stderr).to.match(/--trace-pods needs --trace <file>/);
    const bad = gmpsim(['run', scenarioFile(small), '--trace', file, '--trace-pods', '0,x']);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.match(/expected pod indexes separated by commas/);
  });

  it('every curated scenario in scenarios/ validates', () => {
    const files = readdirSync(join(root, 'scenarios')).filter((f) => /\.(ya?ml|json)$/.test(f));
    expect(files.length).to.be.greaterThan(0);
    const r = gmpsim(['validate', ...files.map((f) => join(root, 'scenarios', f))]);
    expect(r.code, r.stderr).to.equal(0);
  });
});
