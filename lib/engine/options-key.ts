/**
 * Options as a key: equal strings for equal options, for engine/plan-cache.ts.
 *
 * Equal options are primitives by value; arrays and plain objects by their contents, in order; an
 * instance of a class declared with `keyedByValue` (the library's option classes, cdk8s's
 * `Duration` and `Size`, cdk8s-plus's `Cpu`: each keeps all its state in its own properties) by
 * its class and contents; any other object (a construct, a function) by identity. Options holding
 * a getter, a symbol key or a cycle have no key: their plan is made afresh.
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
  return keyOf(options, new Set());
}

const ids = new WeakMap<object, number>();
let lastId = 0;

function identity(value: object): string {
  let id = ids.get(value);
  if (id === undefined) ids.set(value, id = ++lastId);
  return `#${id}`;
}

function keyOf(value: unknown, open: Set<object>): string | undefined {
  switch (typeof value) {
    case 'undefined': return 'u';
    case 'boolean': return value ? 't' : 'f';
    case 'number': return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint': return `${value}n`;
    case 'string': return JSON.stringify(value);
    case 'symbol': return undefined;
    case 'function': return identity(value);
  }
  if (value === null) return 'null';
  const object = value as object;
  const proto = Object.getPrototypeOf(object);
  let opening: string;
  if (Array.isArray(object)) {
    opening = '[';
  } else if (proto === Object.prototype || proto === null) {
    opening = '{';
  } else if (valueClasses.has(proto.constructor) && proto.constructor.prototype === proto) {
    opening = `${identity(proto.constructor)}{`;
  } else {
    return identity(object);
  }
  if (open.has(object)) return undefined;
  open.add(object);
  const parts: string[] = [];
  for (const k of Reflect.ownKeys(object)) {
    if (typeof k === 'symbol') return undefined;
    const descriptor = Object.getOwnPropertyDescriptor(object, k)!;
    if (descriptor.get || descriptor.set) return undefined;
    const part = keyOf(descriptor.value, open);
    if (part === undefined) return undefined;
    parts.push(`${JSON.stringify(k)}:${part}`);
  }
  open.delete(object);
  return `${opening}${parts.join(',')}}`;
}
