/**
 * The real programs of tools/<name>/: each has a build.sh that builds it unless cached and
 * prints the binary's absolute path on its last line of stdout (tools/install.sh runs them all
 * before `npm test`; a suite calls it again in beforeAll, which is instant once cached).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** The repository root. */
export const ROOT = path.resolve(__dirname, '..', '..');

/** How long a cold build may take (module download and compile on 2 cores). */
export const BUILD_TIMEOUT_MS = 15 * 60_000;

/** Builds tools/<name> (or finds it cached) and returns the binary's absolute path. */
export function buildTool(name: string): string {
  const built = tryBuildTool(name);
  if ('unavailable' in built) throw new Error(`tools/${name}/build.sh: unavailable on this machine: ${built.unavailable}`);
  return built.bin;
}

/**
 * Like buildTool, but a tool whose build.sh exits 3 (it cannot be had on this machine, for a
 * reason it prints) is returned as unavailable, with that reason, instead of failing.
 */
export function tryBuildTool(name: string): { bin: string } | { unavailable: string } {
  const script = path.join(ROOT, 'tools', name, 'build.sh');
  const run = spawnSync('bash', [script], { encoding: 'utf8', timeout: BUILD_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'] });
  if (run.status === 3) return { unavailable: run.stderr.trim() };
  if (run.error || run.status !== 0) {
    throw new Error(`tools/${name}/build.sh failed (${run.error?.message ?? `exit ${run.status ?? run.signal}`}):\n${run.stderr}`);
  }
  const bin = run.stdout.trim().split('\n').pop() ?? '';
  if (!path.isAbsolute(bin) || !fs.existsSync(bin)) {
    throw new Error(`tools/${name}/build.sh printed "${bin}" as its last line, not the path of a binary`);
  }
  return { bin };
}
