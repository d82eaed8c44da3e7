/**
 * The whole-pod checks against the number of containers in one pod, in a process of its own
 * (a fresh heap): one pod with k containers (a named port and a mount each) and a sidecar,
 * validated 31 times, each time a new pod of the same build, after a full garbage collection
 * (a pod validated twice is checked once: PodRegistry keeps the result while the pod is the same).
 *
 * Two pods are timed: a sound one, which every rule passes and the render-time check then reads
 * (validation/rendered.ts), and one whose sidecar binds the port of the first container, which
 * the port rule (validation/ports.ts) reports. Prints one JSON line per size: the fastest and the
 * median time of each, in milliseconds, and the fastest time of a reference loop over the
 * same containers. Run by bench/run.ts with `--expose-gc`.
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

const RUNS = 31;

/** A pod of k app containers and a sidecar; with `clash`, the sidecar binds the first container's port. */
function buildPod(containers: number, clash: boolean): kplus.Pod {
  const app = new App({ outdir: 'unused' });
  const pod = new kplus.Pod(new Chart(app, 'checks'), 'pod');
  const shared = kplus.Volume.fromEmptyDir(pod, 'shared', 'shared');
  for (let i = 0; i < containers; i++) {
    const c = pod.addContainer({ name: `c-${i}`, image: 'registry.example/app:1.0.0', ports: [{ number: 1024 + i, name: `p-${i}` }] });
    c.mount(`/data/${i}`, shared);
  }
  withSidecar(pod, { name: 'side', image: 'registry.example/side:1.0.0', boundPorts: [{ number: clash ? 1024 : 60000 }] });
  return pod;
}

/** The first validation of RUNS pods of one build: what a synth pays for the pod. */
function checkTimes(containers: number, clash: boolean): number[] {
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const pod = buildPod(containers, clash);
    gc();
    const start = performance.now();
    const problems = pod.node.validate();
    times.push(performance.now() - start);
    if (problems.length !== (clash ? 1 : 0)) throw new Error(`expected ${clash ? 'one problem' : 'none'}, got:\n${problems.join('\n')}`);
  }
  return times;
}

/** The reference loop over the same k containers, timed like the checks. */
function referenceTimes(containers: number): number[] {
  const items = Array.from({ length: containers }, (_, i) => ({ name: `c-${i}`, port: { number: 1024 + i, name: `p-${i}` } }));
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
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

// Warm the JIT: the figures are of the checks' work, not of compiling them.
checkTimes(1000, false);
checkTimes(1000, true);
referenceTimes(1000);
for (const k of process.argv.slice(2).map(Number)) {
  const sound = checkTimes(k, false);
  const ruled = checkTimes(k, true);
  console.log(JSON.stringify({
    k,
    minMs: Math.min(...sound),
    medianMs: median(sound),
    rulesMinMs: Math.min(...ruled),
    rulesMedianMs: median(ruled),
    referenceMs: Math.min(...referenceTimes(k)),
  }));
}
