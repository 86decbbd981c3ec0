/**
 * node:fs for the browser bundle: a read-only, in-memory file system holding the files the build
 * bundled (scenarios/, scenarios/traces/, calibrations/), so the loader's own code (src/scenario/load.ts
 * resolveFiles, calibration.ts) reads a trace CSV or a calibration exactly as it does in Node. Anything
 * else is "not found", which the loader already turns into a located scenario error.
 */
import { BUNDLED_FILES } from 'gmpsim-bundled-files';

const files = new Map<string, string>(Object.entries(BUNDLED_FILES));

/** Files written at run time (the lesson being edited), by absolute path. */
export function writeVirtualFile(path: string, text: string): void {
  files.set(path, text);
}

function notFound(path: string, syscall: string): Error {
  return Object.assign(new Error(`ENOENT: no such file or directory, ${syscall} '${path}'`), {
    code: 'ENOENT',
    path,
    syscall,
  });
}

export function readFileSync(path: string, _enc?: unknown): string {
  const text = files.get(String(path));
  if (text === undefined) throw notFound(String(path), 'open');
  return text;
}

export function existsSync(path: string): boolean {
  const p = String(path).replace(/\/$/, '');
  if (files.has(p)) return true;
  for (const k of files.keys()) if (k.startsWith(`${p}/`)) return true;
  return false;
}

export function readdirSync(path: string): string[] {
  const dir = `${String(path).replace(/\/$/, '')}/`;
  const out = new Set<string>();
  for (const k of files.keys()) if (k.startsWith(dir)) out.add(k.slice(dir.length).split('/')[0]!);
  return [...out].sort();
}

/** What readInputText checks before reading (a regular file of a size): bundled files are regular files. */
export function statSync(path: string): { isFile(): boolean; isDirectory(): boolean; size: number } {
  const p = String(path).replace(/\/$/, '');
  const text = files.get(p);
  if (text !== undefined) return { isFile: () => true, isDirectory: () => false, size: text.length };
  if (existsSync(p)) return { isFile: () => false, isDirectory: () => true, size: 0 };
  throw notFound(p, 'stat');
}

export default { readFileSync, existsSync, readdirSync, statSync };
