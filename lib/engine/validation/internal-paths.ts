/**
 * Internal endpoints stay internal: a path a program calls on an app port from inside the pod
 * (withConfigSync's or withSecretsAgent's reload POST) must not be reachable from outside
 * through a proxy in front of that port. withProxy blocks the paths already registered when it
 * is called; one registered after it (the other helper called later) is reported here.
 */
import { PodView } from './pod-view';
import { quote } from './syntax';

/**
 * The form in which internal paths are compared: the query dropped, letters lower-cased, and
 * no trailing `/` (`/-/Reload/?x=1` → `/-/reload`). Proxies match in any case because many app
 * frameworks do (Express routes are case-insensitive by default).
 */
export function normalizeInternalPath(path: string): string {
  const noQuery = path.split('?')[0];
  const trimmed = noQuery.replace(/\/+$/, '');
  return (trimmed === '' ? '/' : trimmed).toLowerCase();
}

/** True when blocking `blocked` (the path and everything below it) also blocks `path`. */
export function internalPathCovers(blocked: string, path: string): boolean {
  const b = normalizeInternalPath(blocked);
  const p = normalizeInternalPath(path);
  return b === '/' || p === b || p.startsWith(`${b}/`);
}

/** Every internal path on a port a guarding proxy forwards to that the proxy does not block. */
export function checkInternalPaths(pod: PodView): string[] {
  const problems: string[] = [];
  for (const guard of pod.pathGuards) {
    for (const internal of pod.internalPaths) {
      if (internal.port !== guard.appPort) continue;
      if (guard.blockedPaths.some((b) => internalPathCovers(b, internal.path))) continue;
      problems.push(`${internal.purpose} ${quote(internal.path)} on the app's port ${internal.port} (container ${quote(internal.owner)}, ${internal.ownerPurpose}) `
        + `is reachable from outside through container ${quote(guard.container)} (${guard.purpose}), which forwards every other path to that port; `
        + `call ${guard.purpose.split(' ')[0]} after ${internal.ownerPurpose.split(' ')[0]} so that it blocks the paths registered before it, `
        + `or add ${quote(internal.path.split('?')[0])} to its internalPaths`);
    }
  }
  return problems;
}
