/**
 * Instructions executed, counted by valgrind's cachegrind: a measure that moves less than time
 * on this machine (up to about 6% between runs of one worker, against 10–30% for time), and
 * that says where the extra work of one side goes (V8's optimizing compiler, the garbage
 * collector, the JavaScript itself). A diagnosis next to the timed goals, run only when asked
 * (BENCH_INSTRUCTIONS=1): under valgrind a run at N = 1,000 takes some minutes.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** Where the instructions of one process went, in millions. */
export interface InstructionCount {
  readonly total: number;
  /** V8's optimizing compiler (TurboFan) compiling hot functions, on its background thread. */
  readonly compiler: number;
  /** The garbage collector, all threads. */
  readonly gc: number;
  /** Machine code V8 generated for JavaScript (its optimized and baseline code). */
  readonly generated: number;
  /** Everything else: the interpreter, V8's built-in functions, its runtime, libc. */
  readonly rest: number;
}

/** True when valgrind and cg_annotate are on this machine (cg_annotate 3.19 exits 255 after printing its version). */
export function canCountInstructions(): boolean {
  return spawnSync('valgrind', ['--version']).status === 0 && spawnSync('cg_annotate', ['--version']).error === undefined;
}

/**
 * Counts the instructions of each command (argv arrays run with node), all at once: each runs
 * in valgrind's serialized threads, so running them side by side only shares the machine's
 * cores, not the counts.
 */
export function countInstructions(workDir: string, runs: Record<string, string[]>): Record<string, InstructionCount> {
  const names = Object.keys(runs);
  const outFile = (name: string) => path.join(workDir, `cachegrind-${name}.out`);
  const quote = (s: string) => `'${s.replace(/'/g, '\'\\\'\'')}'`;
  const script = names.map((name) => [
    'valgrind', '--tool=cachegrind', '--cache-sim=no', '--smc-check=all-non-file', `--cachegrind-out-file=${outFile(name)}`,
    process.execPath, ...runs[name],
  ].map(quote).join(' ') + ' >/dev/null 2>&1 & pids+=($!)').join('\n')
    // valgrind exits with the program's status: a worker that failed counted nothing worth comparing.
    + '\nfor pid in "${pids[@]}"; do wait "$pid" || exit 1; done\n';
  const result = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`valgrind or a worker under it failed (status ${result.status}); run the worker without valgrind to see why`);
  const counts: Record<string, InstructionCount> = {};
  for (const name of names) {
    if (!fs.existsSync(outFile(name))) throw new Error(`valgrind wrote no counts for ${name}`);
    counts[name] = categorize(outFile(name));
  }
  return counts;
}

/** Sums cg_annotate's per-function counts into the categories of InstructionCount. */
function categorize(file: string): InstructionCount {
  const annotate = spawnSync('cg_annotate', ['--threshold=0', '--auto=no', file], { encoding: 'utf8', maxBuffer: 2 ** 28 });
  if (annotate.status !== 0) throw new Error(`cg_annotate failed: ${annotate.stderr}`);
  const sums = { total: 0, compiler: 0, gc: 0, generated: 0, rest: 0 };
  for (const line of annotate.stdout.split('\n')) {
    // "1,234,567 ( 0.12%)  file:function"
    const match = /^\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$/.exec(line);
    if (!match) continue;
    const count = Number(match[1].replace(/,/g, '')) / 1e6;
    const where = match[2];
    if (where.includes('PROGRAM TOTALS')) {
      sums.total = count;
    } else if (where === '???:???') {
      sums.generated += count;
    } else if (/v8::internal::compiler::|turboshaft|v8::internal::Pipeline/.test(where)) {
      sums.compiler += count;
    } else if (/Scaveng|Mark(ing|Compact)|Sweep|Evacuat|v8::internal::heap::|heap::base::|ConcurrentMarking|MinorMC/.test(where)) {
      sums.gc += count;
    }
  }
  sums.rest = sums.total - sums.compiler - sums.gc - sums.generated;
  return sums;
}
