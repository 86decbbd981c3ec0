/**
 * Deep merge of scenario documents: mappings merge key by key; lists and scalars replace (variant
 * patches over a scenario; a scenario over its calibration). A patch value that is not a mapping
 * replaces whatever was under it, so a malformed value reaches the schema as written.
 */
export function mergePatch(base: unknown, patch: unknown): unknown {
  if (!isMapping(base) || !isMapping(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) out[k] = k in out ? mergePatch(out[k], v) : structuredClone(v);
  return out;
}

function isMapping(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
