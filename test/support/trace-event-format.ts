/**
 * A checker of the Chrome Trace Event format as Perfetto's JSON importer reads it
 * (src/trace_processor/importers/json/json_trace_parser_impl.cc): the fields each phase needs, names for
 * every process and track used, complete slices properly nested per track (the importer drops a slice that
 * overlaps its parent without containing it), flows v1 (s/f pairs by id, cat and name) and v2 (bind_id
 * with flow_out on one slice and flow_in on another), counters with numeric values. Returns the problems
 * found (empty: the document is well formed), each naming the event.
 */
export interface TraceEventLike {
  name?: unknown;
  ph?: unknown;
  ts?: unknown;
  dur?: unknown;
  pid?: unknown;
  tid?: unknown;
  s?: unknown;
  cat?: unknown;
  id?: unknown;
  bp?: unknown;
  bind_id?: unknown;
  flow_in?: unknown;
  flow_out?: unknown;
  args?: unknown;
}

const PHASES = new Set(['X', 'i', 'C', 'M', 's', 'f']);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

export function traceProblems(doc: unknown, window?: { startUs: number; endUs: number }): string[] {
  const out: string[] = [];
  if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as { traceEvents?: unknown }).traceEvents)) {
    return ['expected an object with a traceEvents array'];
  }
  const events = (doc as { traceEvents: TraceEventLike[] }).traceEvents;
  const processNames = new Set<number>();
  const threadNames = new Set<string>();
  const usedThreads = new Map<string, string>();
  const usedPids = new Set<number>();
  const slices = new Map<string, { ts: number; end: number; name: string }[]>();
  const v1 = new Map<string, { s: number; f: number }>();
  const v2 = new Map<number, { out: number; in: number }>();
  for (const [i, e] of events.entries()) {
    const where = `event ${i} (${String(e.ph)} "${String(e.name)}")`;
    if (typeof e.name !== 'string') out.push(`${where}: expected a string name`);
    if (typeof e.ph !== 'string' || !PHASES.has(e.ph)) {
      out.push(`${where}: unexpected phase`);
      continue;
    }
    if (!isInt(e.pid)) {
      out.push(`${where}: expected an integer pid`);
      continue;
    }
    usedPids.add(e.pid);
    const track = `${e.pid}/${String(e.tid)}`;
    if (e.ph === 'M') {
      const a = e.args as { name?: unknown; sort_index?: unknown } | undefined;
      if (e.name === 'process_name' && typeof a?.name === 'string') processNames.add(e.pid);
      else if (e.name === 'thread_name' && typeof a?.name === 'string' && isInt(e.tid)) threadNames.add(track);
      else if (!/_sort_index$/.test(String(e.name)) || typeof a?.sort_index !== 'number')
        out.push(`${where}: unknown metadata`);
      continue;
    }
    if (!isTime(e.ts)) {
      out.push(`${where}: expected a time ts ≥ 0`);
      continue;
    }
    if (window && (e.ts < window.startUs - 1e-6 || e.ts > window.endUs + 1e-6))
      out.push(`${where}: ts ${e.ts} µs outside the window`);
    if (e.ph === 'C') {
      const a = e.args;
      if (typeof a !== 'object' || a === null || Object.keys(a).length === 0)
        out.push(`${where}: a counter needs args`);
      else
        for (const [k, v] of Object.entries(a))
          if (typeof v !== 'number' || !Number.isFinite(v)) out.push(`${where}: counter ${k} is not a number`);
      continue;
    }
    if (e.ph === 'i' && e.s === 'g') continue;
    if (!isInt(e.tid)) {
      out.push(`${where}: expected an integer tid`);
      continue;
    }
    usedThreads.set(track, where);
    if (e.ph === 'X') {
      if (!isTime(e.dur)) {
        out.push(`${where}: expected dur ≥ 0`);
        continue;
      }
      if (window && e.ts + e.dur > window.endUs + 1e-6) out.push(`${where}: ends after the window`);
      const list = slices.get(track) ?? [];
      list.push({ ts: e.ts, end: e.ts + e.dur, name: String(e.name) });
      slices.set(track, list);
      if (e.bind_id !== undefined) {
        if (!isInt(e.bind_id) || (e.flow_in !== true && e.flow_out !== true))
          out.push(`${where}: bind_id needs flow_in or flow_out`);
        else {
          const f = v2.get(e.bind_id) ?? { out: 0, in: 0 };
          if (e.flow_out === true) f.out++;
          if (e.flow_in === true) f.in++;
          v2.set(e.bind_id, f);
        }
      }
    } else if (e.ph === 'i') {
      if (e.s !== 't' && e.s !== 'p') out.push(`${where}: instant scope must be t, p or g`);
    } else {
      if (!isInt(e.id) || typeof e.cat !== 'string') {
        out.push(`${where}: a flow event needs an integer id and a cat`);
        continue;
      }
      const key = `${e.cat}/${String(e.name)}/${e.id}`;
      const f = v1.get(key) ?? { s: 0, f: 0 };
      if (e.ph === 's') f.s++;
      else f.f++;
      v1.set(key, f);
    }
  }
  for (const pid of usedPids) if (!processNames.has(pid)) out.push(`process ${pid}: no process_name`);
  for (const [track, where] of usedThreads)
    if (!threadNames.has(track)) out.push(`track ${track} (first used by ${where}): no thread_name`);
  for (const [track, list] of slices) {
    list.sort((a, b) => a.ts - b.ts || b.end - a.end);
    const stack: { end: number; name: string }[] = [];
    for (const sl of list) {
      while (stack.length > 0 && stack[stack.length - 1]!.end <= sl.ts + 1e-6) stack.pop();
      const top = stack[stack.length - 1];
      if (top && sl.end > top.end + 1e-6) {
        out.push(
          `track ${track}: "${sl.name}" [${sl.ts}, ${sl.end}] overlaps "${top.name}" (ends ${top.end}) without nesting`,
        );
        if (out.length > 50) return out;
      }
      stack.push(sl);
    }
  }
  for (const [key, f] of v1) if (f.s !== 1 || f.f !== 1) out.push(`flow ${key}: ${f.s} starts and ${f.f} ends`);
  for (const [id, f] of v2)
    if (f.out !== 1 || f.in > 1) out.push(`flow bind_id ${id}: ${f.out} flow_out and ${f.in} flow_in`);
  return out;
}
