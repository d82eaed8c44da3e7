/**
 * The whole-pod checks against the number of containers in one pod, in a process of its own
 * (a fresh heap): one pod with k containers (a named port and a mount each) and a sidecar,
 * its validation timed 15 times after a full garbage collection each. Prints one JSON line
 * per size: the fastest and the median time, in milliseconds. Run by bench/run.ts with
 * `--expose-gc`.
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
  for (let r = 0; r < 15; r++) {
    gc();
    const start = performance.now();
    const problems = pod.node.validate();
    times.push(performance.now() - start);
    if (problems.length > 0) throw new Error(problems.join('\n'));
  }
  return times;
}

checkTimes(1000); // warm the JIT: the figures are of the checks' work, not of compiling them
for (const k of process.argv.slice(2).map(Number)) {
  const times = checkTimes(k);
  console.log(JSON.stringify({ k, minMs: Math.min(...times), medianMs: median(times) }));
}
