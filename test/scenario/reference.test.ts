import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenarioReferenceMarkdown } from '../../src/scenario/reference.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

describe('docs/scenario-reference.md', () => {
  it('is up to date with the schema (regenerate with `npm run docs:scenario`)', () => {
    expect(readFileSync(join(root, 'docs/scenario-reference.md'), 'utf8')).to.equal(scenarioReferenceMarkdown());
  });

  it('documents every field with a description', () => {
    const rows = scenarioReferenceMarkdown().split('\n').filter((l) => l.startsWith('| `'));
    for (const r of rows) expect(r.endsWith('|  |'), `undocumented: ${r}`).to.equal(false);
  });
});
