import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { stringify, Document as YamlDocument } from 'yaml';
import { importManifests, ManifestError, parseManifests } from '../kubernetes/manifests.js';
import { writeFileAtomic } from '../report/atomic-dir.js';
import { checkOutFile, writing } from '../report/out-dir.js';
import { formatProblem, parseScenario, ScenarioError } from '../scenario/load.js';
import { NameSchema } from '../scenario/schema.js';
import { EXIT_OK, UsageError } from './errors.js';

/** The first line of every file `gmpsim import` writes: what `--out` may overwrite. */
export const IMPORT_MARKER = '# Imported by gmpsim from Kubernetes manifests';

/**
 * `gmpsim import FILE...`: Kubernetes manifests → a commented scenario that says what it mapped (scenario
 * path ← manifest path) and what it ignored. The result is validated as a scenario first (a value the model
 * rejects is reported at the manifest's line), so what is written always runs.
 */
export function importCommand(files: string[], opts: { out?: string }): number {
  const texts = files.map((file) => {
    try {
      return { file, text: readFileSync(file, 'utf8') };
    } catch {
      throw new UsageError(`${file}: expected a readable Kubernetes manifest file, found nothing there`);
    }
  });
  let imported: ReturnType<typeof importManifests>;
  try {
    imported = importManifests(parseManifests(texts));
  } catch (e) {
    if (e instanceof ManifestError) throw new ScenarioError(e.problems);
    throw e;
  }
  // Validate exactly as `run` will read it: the same mapping through a scenario that names the files.
  const probe = `kubernetes: ${JSON.stringify(files.map((f) => resolve(f)))}\n`;
  parseScenario(probe, '(the imported scenario)', '.');

  const fallback = basename(files[0]!).replace(/\.[^.]*$/, '');
  const name = NameSchema.safeParse(imported.deploymentName).success ? imported.deploymentName! : fallback;

  const doc = new YamlDocument({ name, ...imported.data });
  const lines = [
    IMPORT_MARKER,
    `# (${files.join(', ')}).`,
    '# Re-import rather than edit the mapped values; add the workload below.',
    '#',
    '# Mapped (scenario path <- file#document path):',
    ...imported.mapped.map((m) => `#   ${m.scenarioPath} <- ${m.from}`),
  ];
  if (imported.warnings.length > 0) {
    lines.push('#', '# Not modelled, ignored:');
    for (const w of imported.warnings) lines.push(`#   ${formatProblem(w)}`);
  }
  lines.push(
    '#',
    '# The manifests do not say what traffic the service gets: describe it under `workload` (arrival process and',
    "# rate, the request's steps); see docs/scenario-reference.md. Until then the defaults apply.",
  );
  const text = `${lines.join('\n')}\n${stringify(doc)}`;

  if (opts.out === undefined) {
    process.stdout.write(text);
  } else {
    // Overwrite only what an earlier `gmpsim import` wrote; never a user's own file.
    checkOutFile(opts.out, '--out', { command: 'import', marker: IMPORT_MARKER });
    writing(opts.out, () => writeFileAtomic(opts.out!, text));
    for (const w of imported.warnings) process.stderr.write(`warning: ${formatProblem(w)}\n`);
    process.stdout.write(`${opts.out}\n`);
  }
  return EXIT_OK;
}
