import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');

describe('deploy/k8s sweep Job', () => {
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

  it("its command runs shard JOB_COMPLETION_INDEX + 1 of SHARDS of a scenario that exists; shards merge to the unsharded result", () => {
    const cmd: string = c.args[0];
    expect(cmd).to.match(/--shard "\$\(\(JOB_COMPLETION_INDEX \+ 1\)\)\/\$SHARDS"/);
    const scenario = join(root, env.SCENARIO.replace('/app/', ''));
    const out = mkdtempSync(join(tmpdir(), 'gmpsim-job-'));
    // Run the Job's shell command for every index as the pods would (with a smaller scenario seed set).
    for (let i = 0; i < 3; i++) {
      const r = spawnSync('sh', ['-c', cmd.replace('node /app/bin/gmpsim.js', `"${process.execPath}" "${join(root, 'bin/gmpsim.js')}"`).replace('/results/', `${out}/`)], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, SCENARIO: scenario, SWEEP: env.SWEEP, SHARDS: '3', WORKERS: '2', JOB_COMPLETION_INDEX: String(i) },
      });
      expect(r.status, r.stderr).to.equal(0);
    }
    const merge = spawnSync(process.execPath, [join(root, 'bin/gmpsim.js'), 'merge', ...[0, 1, 2].map((i) => join(out, env.SWEEP, `shard-${i}`)), '--out', join(out, 'merged'), '--quiet'], { cwd: root, encoding: 'utf8' });
    expect(merge.status, merge.stderr).to.equal(0);
    const whole = spawnSync(process.execPath, [join(root, 'bin/gmpsim.js'), 'sweep', scenario, '--out', join(out, 'whole'), '--quiet'], { cwd: root, encoding: 'utf8' });
    expect(whole.status, whole.stderr).to.equal(0);
    for (const f of ['runs.csv', 'points.csv', 'sweep.json']) expect(readFileSync(join(out, 'merged', f), 'utf8'), f).to.equal(readFileSync(join(out, 'whole', f), 'utf8'));
  });
});
