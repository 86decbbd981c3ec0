import { dirname } from 'node:path';
import { parseDocument } from 'yaml';
import { formatProblem, parseScenario, resolveFiles, ScenarioError, scenarioFromData } from './load.js';
import { mergePatch } from './merge.js';
import type { Scenario } from './schema.js';

export { mergePatch };

/**
 * A compare file: the base scenario and one scenario per variant (the base *as written* with the
 * variant's patch merged in, validated like any scenario, so defaults that depend on other fields —
 * GOMAXPROCS from goVersion and the CPU limit — follow the patch; problems are reported under
 * variants[i].patch).
 */
export function compareScenarios(
  text: string,
  file: string,
): { base: Scenario; variants: { name: string; scenario: Scenario }[] } {
  const base = parseScenario(text, file);
  if (!base.variants || base.variants.length === 0) {
    throw new ScenarioError([
      { file, path: 'variants', message: 'expected a list of variants ({name, patch}) to compare, found none' },
    ]);
  }
  const names = new Set<string>();
  const { variants } = base;
  const written = (parseDocument(text).toJS() ?? {}) as Record<string, unknown>;
  const plain: Record<string, unknown> = { ...written, name: base.name };
  delete plain.variants;
  const resolved = variants.map((v, i) => {
    if (names.has(v.name))
      throw new ScenarioError([
        { file, path: `variants[${i}].name`, message: `expected a unique name, found "${v.name}" twice` },
      ]);
    names.add(v.name);
    const data = mergePatch(plain, v.patch);
    try {
      // Trace and sample files are read relative to the compare file.
      return {
        name: v.name,
        scenario: resolveFiles(scenarioFromData(data, `${file} (variant ${v.name})`, dirname(file)), file),
      };
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      throw new ScenarioError(
        e.problems.map((p) => ({
          file,
          path: `variants[${i}].patch${p.path ? `.${p.path}` : ''}`,
          message: p.message,
        })),
      );
    }
  });
  return { base: resolveFiles(base, file), variants: resolved };
}

export { formatProblem };
