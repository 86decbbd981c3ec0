import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { FaultSchema } from '../../src/scenario/cluster-schema.js';
import { scenarioReferenceMarkdown } from '../../src/scenario/reference.js';
import { STEP_KINDS } from '../../src/scenario/steps.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

describe('docs/scenario-reference.md', () => {
  it('is up to date with the schema (regenerate with `npm run docs:scenario`)', () => {
    expect(readFileSync(join(root, 'docs/scenario-reference.md'), 'utf8')).to.equal(scenarioReferenceMarkdown());
  });

  it('documents every field with a description', () => {
    const rows = scenarioReferenceMarkdown()
      .split('\n')
      .filter((l) => l.startsWith('| `'));
    for (const r of rows) expect(r.endsWith('|  |'), `undocumented: ${r}`).to.equal(false);
  });

  it('walks every union: plain values, steps, distributions, fault types, list items', () => {
    const md = scenarioReferenceMarkdown();
    const rows = md.split('\n').filter((l) => l.startsWith('| `'));
    const paths = rows.map((r) => r.split(' | ')[0]!.slice(3, -1));
    const rowOf = (p: string) => rows.find((r) => r.startsWith(`| \`${p}\` |`));
    expect(md).not.to.contain('undefined');
    expect(rowOf('runtime.gc.gogc')).to.contain('integer (≥ 1, ≤ 100000) or `"off"`');
    for (const k of STEP_KINDS) expect(paths, `step ${k}`).to.include(`workload.request.steps[].${k}`);
    const distFields = [
      'valueMs (dist: constant)',
      'meanMs (dist: exponential)',
      'cv (dist: lognormal)',
      'minMs (dist: uniform)',
      'maxMs (dist: uniform)',
      'samplesMs (dist: empirical)',
      'file (dist: empirical)',
    ];
    // A union is expanded where it first appears (later uses point to it): durations first appear as a
    // virtual user's think time (workload.arrival comes before workload.request).
    for (const f of distFields) {
      expect(paths).to.include(`workload.arrival.thinkTime.${f}`);
    }
    expect(rowOf('workload.request.steps[].cpu')).to.contain('its fields as for `workload.arrival.thinkTime`');
    expect(paths).to.include('workload.request.steps[].spawn.steps[]');
    for (const o of FaultSchema.options) expect(paths).to.include(`faults[].type: ${o.shape.type.value}`);
    expect(paths).to.include('faults[].latencyMs (type: network-latency)');
    expect(rowOf('variants[].name')).to.contain('| required |');
    expect(paths).to.include('variants[].patch');
    expect(paths).to.include('hpa.metrics[].external.metric.name (type: External)');
    expect(paths).to.include('runtime.channels.<name>.capacity');
  });
});
