/** node:url for the browser bundle: fileURLToPath for the file: URLs the build defines (shims/fs.ts paths). */
export function fileURLToPath(u: string | URL): string {
  return decodeURIComponent(new URL(String(u)).pathname);
}
export default { fileURLToPath };
