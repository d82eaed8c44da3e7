/**
 * The app port a proxy-like program forwards to, resolved the same way for every helper that
 * puts something in front of the app (withProxy, withAuthProxy).
 */
import { TCP } from './kplus';
import { PodFacts } from './pod-facts';
import { portNumberProblem, quote } from './validation/syntax';

/**
 * The app's port: `given`, which an app container must declare, or the only TCP port the app
 * containers declare. `program` names the caller in messages (`the proxy`).
 */
export function resolveAppPort(pod: PodFacts, given: number | undefined, program: string, fail: (problem: string) => never): number {
  const apps = pod.appContainers();
  if (apps.length === 0) {
    fail(`the pod has no app container yet; add the app container (with its port) before attaching ${program}`);
  }
  // One pass over the declared TCP ports; they are listed only for a message.
  let only: number | undefined;
  let several = false;
  let givenDeclared = false;
  for (const c of apps) {
    for (const p of c.ports) {
      if ((p.protocol ?? TCP) !== TCP) continue;
      if (p.number === given) givenDeclared = true;
      if (only === undefined) only = p.number;
      else if (p.number !== only) several = true;
    }
  }
  const declared = () => apps
    .flatMap((c) => c.ports.filter((p) => (p.protocol ?? TCP) === TCP).map((p) => `${p.number}${p.name ? ` (${quote(p.name)})` : ''} of container ${quote(c.name)}`))
    .join(', ');
  if (given !== undefined) {
    const problem = portNumberProblem(given);
    if (problem) fail(`targetPort ${quote(given)} ${problem}`);
    if (!givenDeclared) {
      fail(`targetPort ${given} is not a TCP port of the app (it declares ${declared() || 'none'}); `
        + 'pass one of those, or declare the port on the app container (portNumber or ports)');
    }
    return given;
  }
  if (only === undefined) {
    return fail(`the app containers (${apps.map((c) => `${quote(c.name)}`).join(', ')}) declare no TCP port, so ${program} does not know where to forward; `
      + 'declare the app\'s port on its container (portNumber or ports), or pass targetPort');
  }
  if (several) {
    fail(`the app declares several ports (${declared()}); pass targetPort to say which one ${program} forwards to`);
  }
  return only;
}
