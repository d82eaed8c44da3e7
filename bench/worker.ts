/**
 * One measured run, in its own process: build `n` workloads of a scenario with the library or
 * by hand, synthesize them as `cdk8s synth` does (validation, then YAML files), and print the
 * phases' times and the process's peak memory as JSON when it exits. Run by bench/run.ts on the
 * compiled JavaScript, which times the whole process from spawn to exit.
 *
 * usage: node worker.js <scenario> <lib|hand> <n> <outdir> [prepared.json]
 * A hand-written process does not load the library (bench/library-guard.ts); what its scenario
 * holds as literals comes from prepared.json, written by bench/run.ts.
 * With BENCH_BUILD_ONLY=1 it stops after building (synthMs is then 0).
 */
import './library-guard';
import * as fs from 'fs';
import { performance } from 'perf_hooks';
import { App, Chart } from 'cdk8s';
import { SCENARIOS } from './scenarios';

const [scenario, variant, count, outdir, prepared] = process.argv.slice(2);
const build = SCENARIOS[scenario]?.[variant as 'lib' | 'hand'];
if (!build || !count || !outdir) {
  console.error(`usage: worker <${Object.keys(SCENARIOS).join('|')}> <lib|hand> <n> <outdir> [prepared.json]`);
  process.exit(2);
}
if (variant === 'hand' && SCENARIOS[scenario].usePrepared) {
  if (!prepared) throw new Error(`scenario ${scenario}: the hand-written side needs the prepared.json that bench/run.ts writes`);
  SCENARIOS[scenario].usePrepared!(JSON.parse(fs.readFileSync(prepared, 'utf8')));
}
const cpuStart = process.cpuUsage();
// performance.now() counts from the start of the process: this is Node.js starting and loading the modules.
const start = performance.now();
const app = new App({ outdir });
build(new Chart(app, 'bench'), Number(count));
const built = performance.now();
if (process.env.BENCH_BUILD_ONLY !== '1') app.synth();
const end = performance.now();
const cpu = process.cpuUsage(cpuStart);
// At exit: the kernel's high-water mark of the whole process's resident memory (all threads).
process.on('exit', () => {
  console.log(JSON.stringify({
    ms: end - start,
    cpuMs: (cpu.user + cpu.system) / 1000,
    loadMs: start,
    buildMs: built - start,
    synthMs: end - built,
    maxRssKiB: process.resourceUsage().maxRSS,
  }));
});
