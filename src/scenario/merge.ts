/**
 * Deep merge of scenario documents, JSON Merge Patch (RFC 7386): mappings merge key by key; lists and
 * scalars replace; a key whose patch value is null is removed (`hpa: null` drops the base's HPA, so a
 * variant can compare a density controller with an HPA from one base). Used for variant patches over a
 * scenario and a scenario over its calibration. A patch value that is not a mapping replaces whatever was
 * under it, so a malformed value reaches the schema as written.
 */
export function mergePatch(base: unknown, patch: unknown): unknown {
  if (!isMapping(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isMapping(base) ? { ...base } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = k in out ? mergePatch(out[k], v) : mergePatch(undefined, v);
  }
  return out;
}

function isMapping(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
