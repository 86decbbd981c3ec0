/**
 * node:path (POSIX) for the browser bundle: the few functions the scenario loader uses, on the
 * in-memory file system's absolute paths (shims/fs.ts). The working directory is "/".
 */
function normalize(parts: string[]): string {
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  return `/${out.join('/')}`;
}

export function isAbsolute(p: string): boolean {
  return p.startsWith('/');
}

export function resolve(...paths: string[]): string {
  let parts: string[] = [];
  for (const p of paths) {
    if (p.startsWith('/')) parts = [];
    parts.push(...p.split('/'));
  }
  return normalize(parts);
}

export function join(...paths: string[]): string {
  const j = paths.filter((p) => p !== '').join('/');
  const n = normalize(j.split('/'));
  return j.startsWith('/') ? n : n.slice(1);
}

export function dirname(p: string): string {
  const i = p.replace(/\/+$/, '').lastIndexOf('/');
  return i < 0 ? '.' : i === 0 ? '/' : p.slice(0, i);
}

export function basename(p: string, ext?: string): string {
  const b = p.replace(/\/+$/, '').split('/').pop() ?? '';
  return ext && b.endsWith(ext) && b !== ext ? b.slice(0, -ext.length) : b;
}

export function extname(p: string): string {
  const b = basename(p);
  const i = b.lastIndexOf('.');
  return i <= 0 ? '' : b.slice(i);
}

export const sep = '/';
export default { isAbsolute, resolve, join, dirname, basename, extname, sep };
