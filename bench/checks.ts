/**
 * The whole-pod checks against the number of containers in one pod, in a process of its own
 * (a fresh heap): one pod with k containers (a named port and a mount each) and a sidecar,
 * its validation timed 31 times after a full garbage collection each. Prints one JSON line
 * per size: the fastest and the median time, in milliseconds, and the fastest time of a
 * reference loop over the same containers. Run by bench/run.ts with `--expose-gc`.
 *
 * The reference is the least any whole-pod check does: one pass over the containers that
 * fills a map keyed by port, a set of names and an array. On this kind of machine that
 * alone costs more per item as k grows (larger tables fall out of the CPU caches), so the
 * checks' growth is read against the reference's growth.
 *
 * usage: node --expose-gc checks.js <k> [<k> …]
 */
import { performance } from 'perf_hooks';
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { withSidecar } from '../lib';
import { median } from './stats';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

function checkTimes(containers: number): number[] {
  const app = new App({ outdir: 'unused' });
  const pod = new kplus.Pod(new Chart(app, 'checks'), 'pod');
  const shared = kplus.Volume.fromEmptyDir(pod, 'shared', 'shared');
  for (let i = 0; i < containers; i++) {
    const c = pod.addContainer({ name: `c-${i}`, image: 'registry.example/app:1.0.0', ports: [{ number: 1024 + i, name: `p-${i}` }] });
    c.mount(`/data/${i}`, shared);
  }
  withSidecar(pod, { name: 'side', image: 'registry.example/side:1.0.0', boundPorts: [{ number: 60000 }] });
  const times: number[] = [];
  for (let r = 0; r < 31; r++) {
    gc();
    const start = performance.now();
    const problems = pod.node.validate();
    times.push(performance.now() - start);
    if (problems.length > 0) throw new Error(problems.join('\n'));
  }
  return times;
}

/** The reference loop over the same k containers, timed like the checks. */
function referenceTimes(containers: number): number[] {
  const items = Array.from({ length: containers }, (_, i) => ({ name: `c-${i}`, port: { number: 1024 + i, name: `p-${i}` } }));
  const times: number[] = [];
  for (let r = 0; r < 31; r++) {
    gc();
    const start = performance.now();
    const byPort = new Map<number, unknown>();
    const names = new Set<string>();
    const seen: Array<{ owner: unknown; number: number }> = [];
    for (const item of items) {
      byPort.set(item.port.number, item);
      names.add(item.name);
      seen.push({ owner: item, number: item.port.number });
    }
    times.push(performance.now() - start);
    if (seen.length !== containers || byPort.size !== containers || names.size !== containers) throw new Error('reference loop lost items');
  }
  return times;
}

checkTimes(1000); // warm the JIT: the figures are of the checks' work, not of compiling them
referenceTimes(1000);
for (const k of process.argv.slice(2).map(Number)) {
  const times = checkTimes(k);
  console.log(JSON.stringify({ k, minMs: Math.min(...times), medianMs: median(times), referenceMs: Math.min(...referenceTimes(k)) }));
}
