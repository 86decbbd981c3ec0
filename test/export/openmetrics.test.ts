import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { csvParse } from 'd3-dsv';
import { LATENCY_HISTOGRAM, parseStart, toOpenMetrics } from '../../src/export/openmetrics.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = join(root, 'bin/gmpsim.js');
const gmpsim = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' });

describe('OpenMetrics export', () => {
  it(
    'gauges per column, one histogram from the latency_le columns (buckets summed over intervals), pods ' + 'labelled',
    () => {
      const text = toOpenMetrics({
        scenario: 's',
        seed: 3,
        startS: 100,
        series: {
          columns: ['t_s', 'in_flight', 'latency_le_1ms', 'latency_le_inf'],
          rows: [
            [1, 4, 2, 3],
            [2, 5, 1, 4],
          ],
        },
        pods: {
          columns: ['t_s', 'pod', 'ready'],
          rows: [
            [1, 0, 1],
            [1, 1, 0],
            [2, 0, 1],
            [2, 1, 1],
          ],
        },
      });
      expect(text.split('\n')).to.include.members([
        '# TYPE gmpsim_in_flight gauge',
        'gmpsim_in_flight{scenario="s",seed="3"} 4 101',
        `# TYPE ${LATENCY_HISTOGRAM} histogram`,
        `${LATENCY_HISTOGRAM}_bucket{scenario="s",seed="3",le="0.001"} 2 101`,
        `${LATENCY_HISTOGRAM}_bucket{scenario="s",seed="3",le="+Inf"} 7 102`,
        `${LATENCY_HISTOGRAM}_count{scenario="s",seed="3"} 7 102`,
        'gmpsim_pod_ready{scenario="s",seed="3",pod="1"} 0 101',
      ]);
      expect(text.endsWith('# EOF\n')).to.equal(true);
    },
  );

  it('--start takes RFC 3339 or Unix seconds, nothing else', () => {
    expect(parseStart('2026-03-01T12:00:00Z')).to.equal(Date.UTC(2026, 2, 1, 12) / 1000);
    expect(parseStart('1772366400')).to.equal(1772366400);
    for (const bad of ['yesterday', '2026-03-01', '-5', '']) expect(parseStart(bad), bad).to.equal(undefined);
  });

  it(
    'bad input: not a run directory, a bad --start, --out onto a file it did not write (untouched): exit 2, ' +
      'one line',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'gmpsim-export-'));
      let r = gmpsim(['export', dir, '--openmetrics']);
      expect(r.status).to.equal(2);
      expect(r.stderr).to.match(/^error: .*expected a gmpsim run directory \(with summary\.json\), found none\n$/);
      writeFileSync(join(dir, 'summary.json'), '{"scenario": ');
      r = gmpsim(['export', dir, '--openmetrics']);
      expect(r.status).to.equal(2);
      expect(r.stderr).to.match(/^error: .*summary\.json: expected the JSON gmpsim wrote/);
      r = gmpsim(['export', dir, '--openmetrics', '--start', 'noon']);
      expect(r.stderr).to.match(/^error: --start: expected RFC 3339/);
      const mine = join(dir, 'notes.txt');
      writeFileSync(mine, 'mine\n');
      r = gmpsim(['export', dir, '--openmetrics', '--out', mine]);
      expect(r.status).to.equal(2);
      expect(readFileSync(mine, 'utf8')).to.equal('mine\n');
    },
  );
});

/** A free TCP port on loopback. */
function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

describe(
  'OpenMetrics export in a real Prometheus (Debian prometheus: promtool backfill, PromQL over ' + 'HTTP)',
  function () {
    this.timeout(180_000);
    const have = existsSync('/usr/bin/promtool') && existsSync('/usr/bin/prometheus');
    let server: ChildProcess | undefined;
    let port = 0;
    const start = 1772366400; // 2026-03-01T12:00:00Z
    const dir = mkdtempSync(join(tmpdir(), 'gmpsim-prom-'));
    const run = join(dir, 'run');

    before(async function () {
      if (!have) {
        console.log('    skipped: /usr/bin/promtool or /usr/bin/prometheus missing (apt-get install -y prometheus)');
        this.skip();
      }
      const r = gmpsim(['run', 'scenarios/hpa-flash-crowd.yaml', '--seed', '1', '--out', run, '--quiet']);
      expect(r.status, r.stderr).to.equal(0);
      const e = gmpsim(['export', run, '--openmetrics', '--start', String(start), '--out', join(dir, 'run.om')]);
      expect(e.status, e.stderr).to.equal(0);
      const b = spawnSync(
        '/usr/bin/promtool',
        ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'run.om'), join(dir, 'data')],
        { encoding: 'utf8' },
      );
      expect(b.status, b.stderr + b.stdout).to.equal(0);
      writeFileSync(join(dir, 'prometheus.yml'), 'global: {}\n');
      port = await freePort();
      server = spawn(
        '/usr/bin/prometheus',
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--storage.tsdb.retention.time=100y',
          // Backfilled series have no staleness markers: a pod deleted at t stays visible for the lookback.
          '--query.lookback-delta=1s',
        ],
        { stdio: 'ignore' },
      );
      for (let i = 0; i < 300; i++) {
        try {
          if ((await fetch(`http://127.0.0.1:${port}/-/ready`)).ok) return;
        } catch {
          // not listening yet
        }
        await new Promise((ok) => setTimeout(ok, 100));
      }
      throw new Error('Prometheus did not become ready in 30 s');
    });

    after(() => server?.kill('SIGTERM'));

    async function query(
      q: string,
      atS: number,
    ): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
      const url = `http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}&time=${atS}`;
      const body = (await (await fetch(url)).json()) as { status: string; data: { result: never[] }; error?: string };
      expect(body.status, body.error).to.equal('success');
      return body.data.result;
    }

    it("the ready pods over time (sum of the per-pod series) equal the run's replicas_ready", async () => {
      const rows = csvParse(readFileSync(join(run, 'timeseries.csv'), 'utf8'));
      for (const row of rows.filter((_r, i) => i % 30 === 29)) {
        const t = Number(row.t_s);
        const [r] = await query('sum(gmpsim_pod_ready{scenario="hpa-flash-crowd"})', start + t);
        expect(Number(r!.value[1]), `t=${t}`).to.equal(Number(row.replicas_ready));
      }
    });

    it("a p99 from the histogram buckets (histogram_quantile) falls in the bucket of summary.json's p99", async () => {
      const summary = JSON.parse(readFileSync(join(run, 'summary.json'), 'utf8'));
      const rows = csvParse(readFileSync(join(run, 'timeseries.csv'), 'utf8'));
      const end = Number(rows.at(-1)!.t_s);
      const window = end - summary.warmupS;
      const [r] = await query(
        `histogram_quantile(0.99, sum by (le) (increase(${LATENCY_HISTOGRAM}_bucket[${window}s])))`,
        start + end,
      );
      const promMs = Number(r!.value[1]) * 1000;
      const p99 = summary.latencyMs.p99 as number;
      const bounds = summary.latencyHistogramMs.le as number[];
      const bucket = (x: number) => bounds.findIndex((b) => x <= b);
      expect(bucket(promMs), `PromQL ${promMs} ms vs summary ${p99} ms`).to.equal(bucket(p99));
      // And the count of requests equals the run's completions (the +Inf bucket summed over every interval).
      const [c] = await query(`${LATENCY_HISTOGRAM}_count`, start + end);
      const total = rows.reduce((s, row) => s + Number(row.latency_le_inf), 0);
      expect(Number(c!.value[1])).to.equal(total);
    });

    it('every series the Grafana dashboard queries is in the export', () => {
      const text = readFileSync(join(dir, 'run.om'), 'utf8');
      const families = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
      const dashboard = JSON.parse(readFileSync(join(root, 'deploy/grafana/gmpsim-dashboard.json'), 'utf8'));
      const exprs: string[] = dashboard.panels.flatMap((p: { targets: { expr: string }[] }) =>
        p.targets.map((t) => t.expr),
      );
      expect(exprs.length).to.be.greaterThan(5);
      for (const e of exprs) {
        for (const [name] of e.matchAll(/gmpsim_[a-z0-9_]+/g)) {
          const family = name.replace(/_(bucket|count|sum)$/, '');
          expect(families.has(family), `${name} in "${e}"`).to.equal(true);
        }
      }
    });
  },
);
