import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const gmpsim = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, 'bin/gmpsim.js'), ...args], { cwd: root, encoding: 'utf8' });

/** The little of the DOM these checks use. */
interface El {
  id: string;
  querySelector(s: string): El | null;
  querySelectorAll(s: string): ArrayLike<El> & Iterable<El>;
}
type Doc = El;

/** Open a report in headless Chromium: console errors, and the marks each chart drew. */
async function render(html: string, screenshot: string): Promise<{ errors: string[]; marks: Record<string, number> }> {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(pathToFileURL(html).href);
    // These functions run in the page (the test's TypeScript has no DOM types: `doc` is the page's document).
    await page.waitForFunction(
      () => {
        const doc = (globalThis as unknown as { document: Doc }).document;
        return [...doc.querySelectorAll('.vis')].every((v) => v.querySelector('svg'));
      },
      undefined,
      { timeout: 20_000 },
    );
    const marks = await page.evaluate(() => {
      const doc = (globalThis as unknown as { document: Doc }).document;
      const sel =
        '.vis svg g[class*="role-mark"] > path, .vis svg g[class*="role-mark"] > line, .vis svg ' +
        'g[class*="role-mark"] > g';
      return Object.fromEntries(
        [...doc.querySelectorAll('section.chart')].map((s) => [s.id, s.querySelectorAll(sel).length]),
      );
    });
    await page.screenshot({ path: screenshot, fullPage: true });
    return { errors, marks };
  } finally {
    await browser.close();
  }
}

describe('HTML report in a real browser (headless Chromium)', function () {
  this.timeout(120_000);
  const tmp = mkdtempSync(join(tmpdir(), 'gmpsim-report-'));

  it(
    'a run report (HPA flash crowd with GC and a CPU limit) renders every chart with marks and no console ' + 'errors',
    async () => {
      const run = join(tmp, 'run');
      expect(
        gmpsim('run', 'scenarios/gomaxprocs-above-cpu-limit.yaml', '--out', run, '--quiet', '--report').status,
      ).to.equal(0);
      expect(existsSync(join(run, 'report.html'))).to.equal(true);
      const { errors, marks } = await render(join(run, 'report.html'), join(run, 'report.png'));
      expect(errors).to.deep.equal([]);
      expect(Object.keys(marks)).to.include.members([
        'overview',
        'load',
        'replicas',
        'latency',
        'latency-heatmap',
        'goroutines',
        'runq',
        'gc',
        'gc-pauses',
        'memory',
        'throttling',
      ]);
      for (const [id, n] of Object.entries(marks)) expect(n, id).to.be.greaterThan(0);
      expect(statSync(join(run, 'report.png')).size).to.be.greaterThan(10_000);
    },
  );

  it(
    'an HPA run with a fault: log latency with the SLO line, heat map, HPA metric vs target, per-pod panels, ' +
      'fault shading; brushing zooms every chart',
    async () => {
      const run = join(tmp, 'hpa');
      expect(gmpsim('run', 'scenarios/metrics-outage-spike.yaml', '--out', run, '--quiet', '--report').status).to.equal(
        0,
      );
      const html = readFileSync(join(run, 'report.html'), 'utf8');
      const specs = JSON.parse(/const specs = (\{.*\});\n/.exec(html)![1]!.replace(/\\u003c/g, '<')) as Record<
        string,
        {
          layer?: {
            mark?: unknown;
            data?: { values: { slo?: number; fromS?: number }[] };
            layer?: unknown[];
            encoding?: { y?: { scale?: { type?: string } } };
          }[];
        }
      >;
      const latency = specs.latency!.layer!;
      expect(latency.some((l) => l.encoding?.y?.scale?.type === 'log')).to.equal(true);
      expect(latency.some((l) => l.data?.values.some((v) => v.slo !== undefined))).to.equal(true); // the SLO line
      expect(latency.some((l) => l.data?.values.some((v) => v.fromS !== undefined))).to.equal(true); // a fault window
      const { errors, marks } = await render(join(run, 'report.html'), join(run, 'report.png'));
      expect(errors).to.deep.equal([]);
      expect(Object.keys(marks)).to.include.members([
        'overview',
        'latency',
        'latency-heatmap',
        'hpa-metric',
        'pods-cpu',
        'pods-inflight',
      ]);
      for (const [id, n] of Object.entries(marks)) expect(n, id).to.be.greaterThan(0);
      // Brush 100..200 s on the overview: the other charts' x domains follow.
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
      try {
        const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
        await page.goto(pathToFileURL(join(run, 'report.html')).href);
        await page.waitForFunction(
          () => (globalThis as unknown as { reportReady?: boolean }).reportReady === true,
          undefined,
          { timeout: 20_000 },
        );
        type V = {
          signal(n: string, v?: unknown): V;
          runAsync(): Promise<V>;
          scale(n: string): { domain(): number[]; invert(x: number): number };
        };
        const domains = await page.evaluate(async () => {
          const views = (globalThis as unknown as { reportViews: Record<string, V> }).reportViews;
          const ov = views.overview!;
          const x = ov.scale('x');
          const px = (t: number) => {
            let lo = 0,
              hi = 2000;
            for (let i = 0; i < 50; i++) {
              const mid = (lo + hi) / 2;
              if (x.invert(mid) < t) lo = mid;
              else hi = mid;
            }
            return lo;
          };
          await ov.signal('brush_x', [px(100), px(200)]).runAsync();
          await new Promise((r) => setTimeout(r, 300));
          return Object.fromEntries(
            ['latency', 'replicas', 'latency-heatmap', 'goroutines', 'runq', 'hpa-metric'].map((id) => [
              id,
              views[id]!.scale('x').domain(),
            ]),
          );
        });
        for (const [id, d] of Object.entries(domains)) {
          expect(d[0], id).to.be.closeTo(100, 2);
          expect(d[1], id).to.be.closeTo(200, 2);
        }
      } finally {
        await browser.close();
      }
    },
  );

  it('compare and sweep reports render too (seed bands and bars over time; a heat map over a 2-D sweep)', async () => {
    const cmp = join(tmp, 'cmp');
    expect(gmpsim('compare', 'scenarios/numa-stealing.yaml', '--out', cmp, '--quiet').status).to.equal(0);
    expect(gmpsim('report', cmp, '--quiet').status).to.equal(0);
    const c = await render(join(cmp, 'report.html'), join(cmp, 'report.png'));
    expect(c.errors).to.deep.equal([]);
    // one seed, no HPA: each variant's line (a band of one seed), and the bars
    expect(Object.keys(c.marks)).to.include.members(['band-p99', 'band-replicas', 'compare-p99Ms']);
    expect(c.marks['band-hpa-metric']).to.equal(undefined);
    expect(Object.values(c.marks).every((n) => n > 0)).to.equal(true);
    const sw = join(tmp, 'sweep');
    expect(gmpsim('sweep', 'scenarios/sweep-hpa-target.yaml', '--out', sw, '--quiet').status).to.equal(0);
    expect(gmpsim('report', sw, '--quiet').status).to.equal(0);
    const s = await render(join(sw, 'report.html'), join(sw, 'report.png'));
    expect(s.errors).to.deep.equal([]);
    expect(s.marks['sweep-objective']).to.be.greaterThan(0);
    // Every figure per point, not only the objective; no empty panels anywhere.
    expect(Object.keys(s.marks).filter((k) => k.startsWith('sweep-')).length).to.be.greaterThan(2);
    expect(Object.values(s.marks).every((n) => n > 0)).to.equal(true);
  });

  it('a compare over seeds: bands of p99 (log, SLO), Ready replicas, the HPA metric vs target; intervals', async () => {
    const cmp = join(tmp, 'cmp-seeds');
    const r = gmpsim('compare', 'scenarios/compare-hpa-settings.yaml', '--seeds', '2', '--out', cmp, '--quiet');
    expect(r.status, r.stderr).to.equal(0);
    expect(existsSync(join(cmp, 'timeseries-goroutines-seed-2.csv'))).to.equal(true);
    expect(existsSync(join(cmp, 'hpa_decisions-goroutines-seed-2.csv'))).to.equal(true);
    expect(gmpsim('report', cmp, '--quiet').status).to.equal(0);
    const html = readFileSync(join(cmp, 'report.html'), 'utf8');
    type Layer = { data?: { values: Record<string, number | string>[] }; layer?: Layer[]; mark?: unknown };
    const specs = JSON.parse(/const specs = (\{.*\});\n/.exec(html)![1]!.replace(/\\u003c/g, '<')) as Record<
      string,
      { layer: Layer[] }
    >;
    for (const id of ['band-p99', 'band-replicas', 'band-hpa-metric']) {
      const rows = specs[id]!.layer[0]!.data!.values;
      expect(new Set(rows.map((x) => x.series)), id).to.deep.equal(new Set(['default', 'cautious', 'goroutines']));
      expect(
        rows.every((x) => x.seeds === 2 && x.lo! <= x.value! && x.value! <= x.hi!),
        id,
      ).to.equal(true);
    }
    // the seeds differ somewhere: a band has width
    expect(specs['band-p99']!.layer[0]!.data!.values.some((x) => Number(x.hi) > Number(x.lo))).to.equal(true);
    expect(JSON.stringify(specs['band-p99'])).to.match(/"type":"log"/);
    expect(specs['band-p99']!.layer.some((l) => l.data?.values.some((v) => v.label === 'SLO p99 30 ms'))).to.equal(
      true,
    );
    expect(specs['band-hpa-metric']!.layer.some((l) => l.data?.values.some((v) => v.ref === 100))).to.equal(true);
    // bars carry the 95 % interval over the two seeds
    expect(JSON.stringify(specs['compare-p99Ms'])).to.match(/"errorbar"/);
    const c = await render(join(cmp, 'report.html'), join(cmp, 'report.png'));
    expect(c.errors).to.deep.equal([]);
    expect(Object.keys(c.marks)).to.include.members(['band-p99', 'band-replicas', 'band-hpa-metric', 'compare-p99Ms']);
    for (const [id, n] of Object.entries(c.marks)) expect(n, id).to.be.greaterThan(0);
  });

  it('a tune report (bo): every figure per point, winner and runner-up, the BO trace, a table', async () => {
    const dir = join(tmp, 'tune');
    const args = ['--method', 'bo', '--budget', '4', '--batch', '2', '--max-seeds', '2', '--no-progress'];
    const t = gmpsim('tune', 'scenarios/sweep-hpa-target.yaml', ...args, '--out', dir, '--quiet');
    expect(t.status, t.stderr).to.equal(0);
    const tune = JSON.parse(readFileSync(join(dir, 'tune.json'), 'utf8'));
    expect(tune.evaluated).to.have.length(4);
    expect(tune.evaluated[0].params.length).to.equal(2);
    expect(gmpsim('report', dir, '--quiet').status).to.equal(0);
    const c = await render(join(dir, 'report.html'), join(dir, 'report.png'));
    expect(c.errors).to.deep.equal([]);
    expect(Object.keys(c.marks)).to.include.members(['tune-figures', 'tune-trace']);
    for (const [id, n] of Object.entries(c.marks)) expect(n, id).to.be.greaterThan(0);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).to.include('BO trace');
    expect(html).to.include('<dt>winner</dt>');
    expect(html).to.include('<dt>runner-up</dt>');
    const table = /<section class="table" id="tune-points">[\s\S]*?<\/section>/.exec(html)![0];
    expect(table.match(/<tr>/g)!.length).to.equal(1 + 4); // the header and one row per evaluated point
    expect(table).to.include(`#${tune.best} (winner)`);
  });
});
