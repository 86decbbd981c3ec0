import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { expect } from 'chai';

/**
 * The lessons keep their shape (issue 21, item 1): every curated scenario has a lesson; each lesson asks its
 * question, asks for a prediction before the run, runs and plots, explains with links to the Go or
 * Kubernetes source, and sets exercises with worked answers. The .ipynb files are what
 * tools/make-notebooks.py writes (edit there), and they were executed (`npm run notebooks`).
 */
interface Cell {
  cell_type: 'markdown' | 'code';
  source: string[];
  outputs?: unknown[];
  /** nbconvert's timestamps of the run (tslab leaves execution_count null). */
  metadata: { execution?: unknown };
}

const names = readdirSync('notebooks')
  .filter((f) => f.endsWith('.ipynb'))
  .sort();
const cells = (f: string): Cell[] => JSON.parse(readFileSync(`notebooks/${f}`, 'utf8')).cells;
const text = (c: Cell) => c.source.join('');
const markdown = (f: string) =>
  cells(f)
    .filter((c) => c.cell_type === 'markdown')
    .map(text)
    .join('\n');
const SOURCES = /https:\/\/github\.com\/(golang\/go|kubernetes\/kubernetes|kedacore\/keda|torvalds\/linux)\/blob\//;

describe('lessons (notebooks/)', () => {
  it('every curated scenario is the subject of a lesson', () => {
    const all = names.map(markdown).join('\n');
    for (const f of readdirSync('scenarios').filter((x) => x.endsWith('.yaml'))) {
      expect(all.includes(`scenarios/${f}`), `no notebook links scenarios/${f}`).to.equal(true);
    }
  });

  it('every curated scenario is run by a lesson (a code cell loads it), not only linked', () => {
    const code = names
      .flatMap((f) => cells(f).filter((c) => c.cell_type === 'code'))
      .map(text)
      .join('\n');
    const notRun = readdirSync('scenarios')
      .filter((x) => x.endsWith('.yaml'))
      .filter((f) => !code.includes(`scenarios/${f}`));
    expect(notRun, 'scenarios no notebook runs').to.deep.equal([]);
  });

  for (const f of names) {
    it(`${f}: question, prediction, run, source links, exercises with worked answers`, () => {
      const md = markdown(f);
      expect(md, 'the question').to.match(/\*\*The question\.\*\*/);
      expect(md, 'a prediction before the run').to.match(/\*\*Predict before you run/);
      expect(md, 'a link to the real source').to.match(SOURCES);
      expect(md, 'exercises').to.match(/^## Exercises/m);
      const answers = cells(f).filter(
        (c) => c.cell_type === 'markdown' && /^<details><summary>Answer \d/.test(text(c)),
      );
      const worked = cells(f).filter(
        (c) => c.cell_type === 'code' && text(c).startsWith('// Worked answer to exercise'),
      );
      expect(answers.length, 'worked answers').to.be.at.least(1);
      expect(worked.length, 'a code cell per answer').to.equal(answers.length);
      const code = cells(f).filter((c) => c.cell_type === 'code');
      expect(code.length).to.be.at.least(3);
      for (const c of code)
        expect(c.metadata.execution, `${f}: a cell was never executed (npm run notebooks)`).to.not.equal(undefined);
      // every cell after the imports prints or draws something: the saved outputs are the lesson's evidence
      for (const c of code.slice(1))
        expect(c.outputs?.length ?? 0, `${f}: no output from\n${text(c).slice(0, 120)}`).to.be.greaterThan(0);
    });
  }

  it('the .ipynb files are what tools/make-notebooks.py writes (edit the cells there)', function () {
    this.timeout(30_000);
    const written = JSON.parse(
      execFileSync('python3', ['tools/make-notebooks.py', '--print-sources'], { encoding: 'utf8' }),
    ) as Record<string, Cell[]>;
    expect(
      Object.keys(written)
        .map((n) => `${n}.ipynb`)
        .sort(),
    ).to.deep.equal(names);
    for (const [n, want] of Object.entries(written)) {
      const have = cells(`${n}.ipynb`);
      expect(
        have.map((c) => [c.cell_type, text(c)]),
        n,
      ).to.deep.equal(want.map((c) => [c.cell_type, text(c)]));
    }
  });

  it('the README lists every lesson', () => {
    const readme = readFileSync('README.md', 'utf8');
    for (const f of names) expect(readme.includes(`notebooks/${f}`), f).to.equal(true);
  });
});
