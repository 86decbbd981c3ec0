import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

/**
 * The house rule "lines ≤ 120 characters", checked: Biome's formatter wraps code at 120 but leaves long
 * strings and comments alone, so this walks every TypeScript source the project writes (src, test, bench,
 * validation, tools) and names each line over the limit. A long string breaks into a concatenation, a long
 * comment reflows.
 */

const MAX = 120;
const ROOT = join(fileURLToPath(import.meta.url), '../../../..'); // dist/test/lint → the repository
const DIRS = ['src', 'test', 'bench', 'validation', 'tools'];

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules') out.push(...tsFiles(p));
    } else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** `file:line (n chars)` for each line of `text` over `max` characters (UTF-16 code units, as an editor's column). */
function longLines(file: string, text: string, max = MAX): string[] {
  const out: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.length > max) out.push(`${file}:${i + 1} (${line.length} chars)`);
  });
  return out;
}

describe('line length (house rule: ≤ 120 characters)', () => {
  it('longLines names each line over the limit, and only those', () => {
    const text = ['a'.repeat(120), 'b'.repeat(121), '', `// ${'c'.repeat(118)}`].join('\n');
    expect(longLines('x.ts', text)).to.deep.equal(['x.ts:2 (121 chars)', 'x.ts:4 (121 chars)']);
  });

  it('no line over 120 characters in src, test, bench, validation or tools (*.ts)', () => {
    const files = DIRS.flatMap((d) => tsFiles(join(ROOT, d)));
    expect(files.length).to.be.greaterThan(100); // the walk found the sources
    const long = files.flatMap((f) => longLines(relative(ROOT, f), readFileSync(f, 'utf8')));
    expect(long, `lines over ${MAX} characters:\n${long.join('\n')}`).to.deep.equal([]);
  });
});
