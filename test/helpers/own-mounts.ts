import { spawn } from 'node:child_process';

/*
 * A read-only or full state directory, for real. Tests run as root, who
 * ignores permission bits, so `chmod` proves nothing: these mount a
 * read-only bind or a small filled tmpfs over the directory, inside a mount
 * namespace of the script's own (`unshare -m`). The mounts exist only for
 * the commands of that script and vanish with it; the host never sees them.
 * Where `unshare` or `mount` is not allowed the script fails, and so does
 * the test: it never skips.
 */

/** Bash that makes `dir` read-only for the rest of the script. */
export const readOnly = (dir: string): string => `mount --bind '${dir}' '${dir}' && mount -o remount,bind,ro '${dir}'`;

/** Bash that puts an empty, completely full filesystem over `dir` for the rest of the script. */
export const fullDisk = (dir: string): string =>
  `mount -t tmpfs -o size=64k tmpfs '${dir}' && { dd if=/dev/zero of='${dir}/.fill' bs=4k 2>/dev/null || true; }`;

/** Bash that fills the filesystem already mounted at `dir`, leaving what is there. */
export const fill = (dir: string): string => `{ dd if=/dev/zero of='${dir}/.fill' bs=4k 2>/dev/null || true; }`;

/**
 * Runs a bash script in a mount namespace of its own; `args` are its
 * positional parameters ("$1", …), passed without quoting worries.
 *
 * @example
 * await inOwnMounts(`${readOnly(dir)} && exec "$@"`, [process.execPath, cli, 'gate', 'reset', '--reason', 'r'], env);
 */
export function inOwnMounts(script: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // --norc: bash reads ~/.bashrc when it takes its stdin for a network connection, which a socket pair looks like.
  const child = spawn('unshare', ['--mount', '--propagation', 'private', 'bash', '--norc', '--noprofile', '-c', `set -e\n${script}`, 'own-mounts', ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
