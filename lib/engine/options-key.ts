/**
 * Options as a key: equal strings for equal options, for engine/plan-cache.ts.
 *
 * Equal options are primitives by value; arrays and plain objects by their contents, in order; an
 * instance of a class declared with `keyedByValue` (the library's option classes, cdk8s's
 * `Duration` and `Size`, cdk8s-plus's `Cpu`: each keeps all its state in its own properties) by
 * its class and contents; any other object (a construct, a function) by identity. A getter counts
 * as the value it returns (options are read at the call). Options holding a symbol or nested
 * deeper than 32 (a cycle) have no key: their plan is made afresh.
 */
import { Duration, Size } from 'cdk8s';
import { kplus } from './kplus';

const valueClasses = new WeakSet<object>([Duration, Size, kplus.Cpu]);

/**
 * Declares classes whose instances, as options, are equal when their class and own properties
 * are: classes that keep all their state in their own properties (no `#private` fields, which
 * ESLint refuses in lib/, and no state kept elsewhere).
 */
export function keyedByValue(...classes: ReadonlyArray<{ readonly prototype: object }>): void {
  for (const c of classes) valueClasses.add(c);
}

/** True when `c` was declared with `keyedByValue` (for the test that every option class is). */
export function isKeyedByValue(c: object): boolean {
  return valueClasses.has(c);
}

/** The options as a key, equal for equal options; undefined when they cannot have one. */
export function optionsKey(options: unknown): string | undefined {
  return keyOf(options, 0);
}

const ids = new WeakMap<object, number>();
let lastId = 0;

function identity(value: object): string {
  let id = ids.get(value);
  if (id === undefined) ids.set(value, id = ++lastId);
  return `#${id}`;
}

/** Deeper options have no key (a cycle among them). */
const MAX_DEPTH = 32;

/**
 * Strings and property names are written with their length first, so that no two different
 * options write the same key.
 */
function keyOf(value: unknown, depth: number): string | undefined {
  switch (typeof value) {
    case 'undefined': return 'u';
    case 'boolean': return value ? 't' : 'f';
    case 'number': return Object.is(value, -0) ? '-0' : `${value}`;
    case 'bigint': return `${value}n`;
    case 'string': return `${value.length}"${value}`;
    case 'symbol': return undefined;
    case 'function': return identity(value);
  }
  if (value === null) return 'null';
  const object = value as Record<string, unknown>;
  const proto = Object.getPrototypeOf(object);
  let key: string;
  if (Array.isArray(object)) {
    key = '[';
  } else if (proto === Object.prototype || proto === null) {
    key = '{';
  } else if (valueClasses.has(proto.constructor) && proto.constructor.prototype === proto) {
    key = `${identity(proto.constructor)}{`;
  } else {
    return identity(object);
  }
  if (depth > MAX_DEPTH) return undefined;
  // Own properties, enumerable or not (an array's length among them); a getter as what it returns.
  for (const name of Object.getOwnPropertyNames(object)) {
    const part = keyOf(object[name], depth + 1);
    if (part === undefined) return undefined;
    key += `${name.length}"${name}${part}`;
  }
  return `${key}}`;
}
