/**
 * Plans reused across calls. A helper's plan is a pure function of its options and of what it
 * reads of the pod (pod-facts.ts, plain data). Each plan made is kept with the reads it made, in
 * order, and what each returned; a later call with equal options whose pod answers the same reads
 * the same way gets that plan instead of a new one. The reads are recorded as the plan makes them,
 * so nothing lists what a plan depends on by hand.
 *
 * Worth it because an app repeats itself: 1,000 workloads with the same three helpers run the
 * plans 3,000 times in a fresh process, where their code never gets hot. Reusing them, with the
 * programs' own checks that come with them, takes 7.6% off that whole process and a third off
 * its build phase (bench/ANALYSIS.md, "Plans reused"). The kept plans belong to their app (the
 * root construct), so they go with it.
 *
 * Equal options: see options-key.ts.
 *
 * What a plan may not do, or a reused plan would be wrong: read anything but its options and its
 * facts (it is pure), or let the workload's label into what it returns (the label comes with
 * `fail`, whose errors end the plan). Its result is shared by every call that reuses it: the attach
 * copies what cdk8s-plus keeps and changes (attach.ts, `containerProps`).
 */
import { IConstruct } from 'constructs';
import { AloneCheckedProgram, checkProgramAlone } from './attach';
import { optionsKey } from './options-key';
import { Fail, failOn, PodFacts, podFacts } from './pod-facts';
import { Program } from './program';
import type { PodRegistry } from './registry';

/** A helper's plan: options and facts in, a program description out; throws through `fail`. */
export type Plan<O, P> = (pod: PodFacts, options: O, fail: Fail) => P;

/** One read of a plan: a property, or a method called with `args`; and what it returned. */
interface Read {
  readonly member: string;
  readonly args?: readonly unknown[];
  readonly value: unknown;
}

interface Kept {
  readonly reads: readonly Read[];
  readonly result: unknown;
}

/** Per app (root construct), per plan, per options key: the plans kept, oldest first. */
const kept = new WeakMap<IConstruct, Map<Plan<never, unknown>, Map<string, Kept[]>>>();

/** Plans kept per plan and options: one per distinct pod shape the same call meets. */
const KEPT_PER_OPTIONS = 8;

/** The plan of `helper` (`withProxy`) for the registry's pod: a kept one when it applies, else a new one. */
export function planFor<O, P extends { readonly program: Program }>(
  plan: Plan<O, P>, registry: PodRegistry, options: O, helper: string,
): Planned<P> {
  const facts = podFacts(registry);
  const fail = failOn(registry, helper);
  const key = optionsKey(options);
  if (key === undefined) return made(plan, facts, options, fail);

  const root = registry.target.construct.node.root;
  let byPlan = kept.get(root);
  if (!byPlan) kept.set(root, byPlan = new Map());
  let byKey = byPlan.get(plan as Plan<never, unknown>);
  if (!byKey) byPlan.set(plan as Plan<never, unknown>, byKey = new Map());
  let plans = byKey.get(key);
  if (!plans) byKey.set(key, plans = []);

  const same = plans.find((p) => p.reads.every((r) => sameData(read(facts, r), r.value)));
  if (same) return same.result as Planned<P>;

  const reads: Read[] = [];
  const result = made(plan, recording(facts, reads), options, fail);
  plans.push({ reads, result });
  if (plans.length > KEPT_PER_OPTIONS) plans.shift();
  return result;
}

/** A plan whose program passed its own checks. */
export type Planned<P extends { readonly program: Program }> = P & { readonly program: AloneCheckedProgram };

/** The plan made, and its program checked by itself (attach.ts); both read the pod through `facts` only. */
function made<O, P extends { readonly program: Program }>(plan: Plan<O, P>, facts: PodFacts, options: O, fail: Fail): Planned<P> {
  const result = plan(facts, options, fail);
  checkProgramAlone(result.program, facts, fail);
  return result as Planned<P>;
}

/** `facts`, recording each read and what it returned; a returned value is frozen, since it is kept. */
function recording(facts: PodFacts, reads: Read[]): PodFacts {
  return new Proxy(facts, {
    get(target, member) {
      const value: unknown = Reflect.get(target, member);
      if (typeof member !== 'string') throw new Error(`cdk8s-sidecars internal error: a plan read PodFacts[${String(member)}]`);
      if (typeof value !== 'function') {
        reads.push({ member, value: frozenData(value, member) });
        return value;
      }
      return (...args: unknown[]) => {
        const result = frozenData(value.apply(target, args), member);
        reads.push({ member, args, value: result });
        return result;
      };
    },
  });
}

function read(facts: PodFacts, r: Read): unknown {
  const value: unknown = Reflect.get(facts, r.member);
  return r.args ? (value as (...args: unknown[]) => unknown).apply(facts, r.args as unknown[]) : value;
}

/** `value` frozen, after checking it is plain data: a fact that is not would make reuse unsound. */
function frozenData<T>(value: T, member: string): T {
  if (typeof value === 'function' || typeof value === 'symbol') {
    throw new Error(`cdk8s-sidecars internal error: PodFacts.${member} returned a ${typeof value}; facts are plain data`);
  }
  if (typeof value !== 'object' || value === null) return value;
  const proto = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) {
    throw new Error(`cdk8s-sidecars internal error: PodFacts.${member} returned a ${proto.constructor?.name ?? 'class instance'}; facts are plain data`);
  }
  for (const inner of Object.values(value)) frozenData(inner, member);
  return Object.freeze(value);
}

/** Equal plain data: the same primitives, arrays and objects with the same keys in the same order. */
function sameData(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  return keysA.length === keysB.length
    && keysA.every((k, i) => k === keysB[i] && sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
