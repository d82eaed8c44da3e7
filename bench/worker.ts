/**
 * One measured run, in its own process: build `n` workloads of a scenario with the library or
 * by hand, synthesize them as `cdk8s synth` does (validation, then YAML files), and print the
 * time and peak memory as JSON. Run by bench/run.ts on the compiled JavaScript.
 *
 * usage: node worker.js <scenario> <lib|hand> <n> <outdir>
 * With BENCH_BUILD_ONLY=1 it stops after building (synthMs is then 0).
 */
import { performance } from 'perf_hooks';
import { App, Chart } from 'cdk8s';
import { SCENARIOS } from './scenarios';

const [scenario, variant, count, outdir] = process.argv.slice(2);
const build = SCENARIOS[scenario]?.[variant as 'lib' | 'hand'];
SCENARIOS[scenario]?.prepare?.();
if (!build || !count || !outdir) {
  console.error(`usage: worker <${Object.keys(SCENARIOS).join('|')}> <lib|hand> <n> <outdir>`);
  process.exit(2);
}
const cpuStart = process.cpuUsage();
const start = performance.now();
const app = new App({ outdir });
build(new Chart(app, 'bench'), Number(count));
const built = performance.now();
if (process.env.BENCH_BUILD_ONLY !== '1') app.synth();
const end = performance.now();
const cpu = process.cpuUsage(cpuStart);
console.log(JSON.stringify({
  ms: end - start,
  cpuMs: (cpu.user + cpu.system) / 1000,
  buildMs: built - start,
  synthMs: end - built,
  maxRssKiB: process.resourceUsage().maxRSS,
}));
