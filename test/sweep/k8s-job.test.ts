import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { parseAllDocuments } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');

describe('deploy/k8s sweep Job', function () {
  // Four CLI sweeps and a merge: ~30 s on a quiet 2-core machine, several times that when it is busy.
  this.timeout(300_000);
  const docs = parseAllDocuments(readFileSync(join(root, 'deploy/k8s/sweep-job.yaml'), 'utf8')).map((d) => d.toJS());
  const job = docs.find((d) => d.kind === 'Job');
  const c = job.spec.template.spec.containers[0];
  const env = Object.fromEntries(c.env.map((e: { name: string; value: string }) => [e.name, e.value]));

  it('is an Indexed Job with one pod per shard, on a shared volume', () => {
    expect(job.spec.completionMode).to.equal('Indexed');
    expect(job.spec.completions).to.equal(Number(env.SHARDS));
    expect(job.spec.parallelism).to.equal(Number(env.SHARDS));
    expect(docs.find((d) => d.kind === 'PersistentVolumeClaim').spec.accessModes).to.deep.equal(['ReadWriteMany']);
  });

  it(
    'its command runs shard JOB_COMPLETION_INDEX + 1 of SHARDS of a scenario that exists; shards merge to the ' +
      'unsharded result',
    () => {
      const cmd: string = c.args[0];
      expect(cmd).to.match(/--shard "\$\(\(JOB_COMPLETION_INDEX \+ 1\)\)\/\$SHARDS"/);
      const scenario = join(root, env.SCENARIO.replace('/app/', ''));
      const out = mkdtempSync(join(tmpdir(), 'gmpsim-job-'));
      // Run the Job's shell command for every index as the pods would (with a smaller scenario seed set).
      for (let i = 0; i < 3; i++) {
        const r = spawnSync(
          'sh',
          [
            '-c',
            cmd
              .replace('node /app/bin/gmpsim.js', `"${process.execPath}" "${join(root, 'bin/gmpsim.js')}"`)
              .replace('/results/', `${out}/`),
          ],
          {
            cwd: root,
            encoding: 'utf8',
            env: {
              ...process.env,
              SCENARIO: scenario,
              SWEEP: env.SWEEP,
              SHARDS: '3',
              WORKERS: '2',
              JOB_COMPLETION_INDEX: String(i),
            },
          },
        );
        expect(r.status, r.stderr).to.equal(0);
      }
      const merge = spawnSync(
        process.execPath,
        [
          join(root, 'bin/gmpsim.js'),
          'merge',
          ...[0, 1, 2].map((i) => join(out, env.SWEEP, `shard-${i}`)),
          '--out',
          join(out, 'merged'),
          '--quiet',
        ],
        { cwd: root, encoding: 'utf8' },
      );
      expect(merge.status, merge.stderr).to.equal(0);
      const whole = spawnSync(
        process.execPath,
        [join(root, 'bin/gmpsim.js'), 'sweep', scenario, '--out', join(out, 'whole'), '--quiet'],
        { cwd: root, encoding: 'utf8' },
      );
      expect(whole.status, whole.stderr).to.equal(0);
      for (const f of ['runs.csv', 'points.csv', 'sweep.json'])
        expect(readFileSync(join(out, 'merged', f), 'utf8'), f).to.equal(readFileSync(join(out, 'whole', f), 'utf8'));
    },
  );
});

describe('deploy/ packaging', () => {
  const read = (p: string) => readFileSync(join(root, p), 'utf8');

  it('the image holds production dependencies only and runs as a non-root user', () => {
    const stages = read('deploy/Dockerfile')
      .split(/^FROM /m)
      .slice(1);
    const final = stages[stages.length - 1]!;
    expect(final).to.match(/npm ci --omit=dev/);
    expect(final).to.match(/^USER node$/m);
    expect(final).not.to.match(/COPY \. \./);
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim());
    for (const p of ['.git', 'node_modules', 'dist', 'results']) expect(ignored, p).to.include(p);
  });

  it('each Job states the Kubernetes version it needs and lets the non-root image write its volume', () => {
    for (const f of ['deploy/k8s/sweep-job.yaml', 'deploy/k8s/merge-job.yaml']) {
      expect(read(f), f).to.match(/Needs Kubernetes >= 1\.\d+/);
      const job = parseAllDocuments(read(f))
        .map((d) => d.toJS())
        .find((d) => d.kind === 'Job');
      expect(job.spec.template.spec.securityContext, f).to.deep.include({ runAsNonRoot: true, fsGroup: 1000 });
    }
  });

  it('the npm package carries its licence', () => {
    expect(JSON.parse(read('package.json')).license).to.equal('MIT');
    expect(read('LICENSE')).to.match(/^MIT License/);
  });
});
