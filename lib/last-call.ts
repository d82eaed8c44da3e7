/**
 * What a helper worked out from its options alone at its last call (the checked values, the
 * model of its configuration file), given again while the calls bring the same options.
 *
 * A fleet attaches one set of options to hundreds of workloads. Checking the options and
 * building the model anew for each was the largest part of a helper's own cost at synth time,
 * and, on a two-core machine, V8's optimizing compiler spent more time on that code than the
 * calls saved (bench/RESULTS.md). The comparison that replaces it costs what the options
 * weigh, which is little: what was derived from them is never compared here.
 */
import { Construct } from 'constructs';

/** Deeper than any options object: past this the input is not remembered (a cycle, say). */
const MAX_DEPTH = 32;

const NOTHING = Symbol('nothing');
const TOO_DEEP = Symbol('too deep');

/**
 * One helper's last call. Give `derive` nothing that the input does not hold: its result is
 * reused for any later input of the same value.
 */
export class LastCall<T> {
  private options: unknown = NOTHING;
  private context: unknown;
  private output?: T;

  /**
   * `derive()`, or what it returned before when `options` and `context` are the same values as
   * at the last call derived. `options` are a helper's props: their `workload` is not compared
   * (every call has its own), so `derive` must not read it; `context` holds whatever else
   * `derive` reads (the engine, the app containers' names, the app's port).
   *
   * Both are compared with a copy taken at that call, so options changed in place since (an
   * array pushed to) are seen as changed. A call that throws is not remembered.
   */
  public get(options: object, context: readonly unknown[], derive: () => T): T {
    if (this.options !== NOTHING
      && sameValueAt(this.context, context, undefined, 0)
      && sameValueAt(this.options, options, 'workload', 0)) {
      return this.output as T;
    }
    const output = derive();
    const optionsCopy = copyValue(options, 'workload', 0);
    const contextCopy = copyValue(context, undefined, 0);
    this.options = optionsCopy === TOO_DEEP || contextCopy === TOO_DEEP ? NOTHING : optionsCopy;
    this.context = contextCopy;
    this.output = output;
    return output;
  }
}

/**
 * Whether `b` is the same value as `a`, by the rules below: for options against the copy of
 * the last ones, and for a configuration file's model against the last model (lib/config-file.ts).
 */
export function sameValue(a: unknown, b: unknown): boolean {
  return sameValueAt(a, b, undefined, 0);
}

/**
 * The rules of "same value", stricter than equality of what a helper reads:
 * - a primitive: `Object.is`;
 * - an array: the same length and the same value at each index;
 * - a construct (a Secret, a ConfigMap): itself only;
 * - a plain object, or an instance of an ordinary class (`Duration`, `Size`, `kplus.Cpu`,
 *   `LogOutput`, …, which keep their state in their own fields): the same prototype and the
 *   same own enumerable keys, in the same order, with the same values;
 * - anything else (a function, a Date, a Map, a RegExp, whose state is not in own fields): itself only.
 */
function sameValueAt(copy: unknown, value: unknown, ignoreKey: string | undefined, depth: number): boolean {
  // The copy holds no object the caller can reach that is compared by value: one object on
  // both sides is a construct, a function or the like, compared as itself.
  if (copy === value) return typeof copy !== 'number' || Object.is(copy, value);
  if (typeof copy !== 'object' || copy === null || typeof value !== 'object' || value === null) {
    return typeof copy === 'number' && Object.is(copy, value);
  }
  if (depth > MAX_DEPTH) return false;
  if (Array.isArray(copy)) {
    if (!Array.isArray(value) || copy.length !== value.length) return false;
    for (let i = 0; i < copy.length; i++) if (!sameValueAt(copy[i], value[i], undefined, depth + 1)) return false;
    return true;
  }
  if (!isRecord(copy) || Object.getPrototypeOf(copy) !== Object.getPrototypeOf(value) || !isRecord(value)) return false;
  const keys = Object.keys(copy);
  const otherKeys = Object.keys(value);
  if (keys.length !== otherKeys.length) return false;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (key !== otherKeys[i]) return false;
    if (key !== ignoreKey && !sameValueAt((copy as Record<string, unknown>)[key], (value as Record<string, unknown>)[key], undefined, depth + 1)) {
      return false;
    }
  }
  return true;
}

/** A copy of what `sameValue` compares by value; everything it compares as itself is kept as is. */
function copyValue(value: unknown, ignoreKey: string | undefined, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_DEPTH) return TOO_DEEP;
  if (Array.isArray(value)) {
    const copy = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const item = copyValue(value[i], undefined, depth + 1);
      if (item === TOO_DEEP) return TOO_DEEP;
      copy[i] = item;
    }
    return copy;
  }
  if (!isRecord(value)) return value;
  const copy = Object.create(Object.getPrototypeOf(value)) as Record<string, unknown>;
  for (const key of Object.keys(value)) {
    const item = key === ignoreKey ? undefined : copyValue((value as Record<string, unknown>)[key], undefined, depth + 1);
    if (item === TOO_DEEP) return TOO_DEEP;
    copy[key] = item;
  }
  return copy;
}

/** An object compared field by field: a plain object or an ordinary class instance, not a construct. */
function isRecord(value: object): boolean {
  if (Construct.isConstruct(value) || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return true;
  return Object.prototype.toString.call(value) === '[object Object]' && typeof value !== 'function';
}
