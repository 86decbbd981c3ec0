/** One step of a scenario path: a mapping key or a list index. */
export type PathStep = string | number;

/** `hpa.metrics[0].resource.target` → ['hpa', 'metrics', 0, 'resource', 'target']. */
export function parsePath(path: string): PathStep[] {
  const out: PathStep[] = [];
  for (const part of path.split('.')) {
    const m = /^([^[]+)((?:\[\d+\])*)$/.exec(part);
    if (!m) throw new Error(`bad scenario path "${path}"`);
    out.push(m[1]!);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

/** A copy of `doc` with `value` at `path`; missing mappings and list slots on the way are created. */
export function setPath(doc: unknown, path: readonly PathStep[], value: unknown): unknown {
  if (path.length === 0) return structuredClone(value);
  const [head, ...rest] = path;
  if (typeof head === 'number') {
    const list = Array.isArray(doc) ? doc.slice() : [];
    list[head] = setPath(list[head], rest, value);
    return list;
  }
  const obj: Record<string, unknown> =
    typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? { ...(doc as Record<string, unknown>) } : {};
  obj[head!] = setPath(obj[head!], rest, value);
  return obj;
}
