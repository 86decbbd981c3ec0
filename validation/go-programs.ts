import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Building and running the real Go programs of validation/go/ (Debian's golang-go is Go 1.19). */
const BIN = '.cache/validation-bin';

/** Where build() puts a program (e.g. to run one program through another, as a launcher). */
/** The calibration the validation suite compares against and `npm run calibrate` writes by default. */
export const CALIBRATION = 'go1.19-this-machine';

export const binPath = (prog: string): string => join(BIN, prog);

export const goVersion = (): string => execFileSync('go', ['version'], { encoding: 'utf8' }).trim();

export function build(...progs: string[]): void {
  mkdirSync(BIN, { recursive: true });
  for (const prog of progs)
    execFileSync('go', ['build', '-o', join('..', '..', BIN, prog), `./${prog}`], {
      cwd: 'validation/go',
      stdio: 'inherit',
    });
}

/**
 * Run a program with GOMAXPROCS and extra environment (through `launcher`, e.g. ['nice', '-n', '-10'], if
 * given); its last stdout line is JSON. Returns it and stderr. With `timeoutMs`, a program still running
 * then is killed (SIGKILL) and the run fails.
 */
export function goRun<T>(
  prog: string,
  gomaxprocs: number,
  args: (string | number)[],
  env: Record<string, string> = {},
  launcher: string[] = [],
  timeoutMs = 0,
): { out: T; stderr: string } {
  const [cmd, ...pre] = [...launcher, binPath(prog)];
  const r = spawnSync(cmd!, [...pre, ...args.map(String)], {
    encoding: 'utf8',
    env: { ...process.env, GOMAXPROCS: String(gomaxprocs), ...env },
    maxBuffer: 64 << 20,
    ...(timeoutMs > 0 ? { timeout: timeoutMs, killSignal: 'SIGKILL' as const } : {}),
  });
  if (r.status !== 0)
    throw new Error(`${prog} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr.slice(-500)}`);
  return { out: JSON.parse(r.stdout.trim().split('\n').at(-1)!) as T, stderr: r.stderr };
}

export function go<T>(
  prog: string,
  gomaxprocs: number,
  args: (string | number)[],
  env: Record<string, string> = {},
  launcher: string[] = [],
): T {
  return goRun<T>(prog, gomaxprocs, args, env, launcher).out;
}

/**
 * gctrace lines (Go 1.19 format): `gc N @T s P%: a+b+c ms clock, d+e/f/g+h ms cpu, X->Y->Z MB, G MB goal, ...`.
 * Returns each cycle's mark CPU (assist + background + idle, ms), marked live heap Z (MB) and whether it was forced.
 */
export function parseGctrace(stderr: string): { markCpuMs: number; liveMB: number; forced: boolean }[] {
  const re = new RegExp(
    /^gc \d+ @[\d.]+s \d+%: [\d.]+\+[\d.]+\+[\d.]+ ms clock, [\d.]+\+([\d.]+)\/([\d.]+)\/([\d.]+)/.source +
      /\+[\d.]+ ms cpu, \d+->\d+->(\d+) MB.*?( \(forced\))?$/.source,
  );
  return stderr.split('\n').flatMap((line) => {
    const m = re.exec(line);
    return m
      ? [{ markCpuMs: Number(m[1]) + Number(m[2]) + Number(m[3]), liveMB: Number(m[4]), forced: m[5] !== undefined }]
      : [];
  });
}
