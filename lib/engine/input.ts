/**
 * The call-time checker for JavaScript callers, who have no compiler to tell them that `tsl` is
 * not an option or that a port is not a string: every public entry point (`with*` functions,
 * construct constructors, option factories) calls `checkOptions` first, with the name of its
 * options interface. The shapes are generated from the TypeScript types at build time
 * (tools/option-shapes.ts → option-shapes.generated.ts), so a new option or a new helper needs
 * no hand-written list: export its `…Options`/`…Props` interface, run `npx projen shapes`, and
 * call `checkOptions` in one line.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { kplus, workloadLabel } from './kplus';
import { Shape } from './option-shape';
import { OPTION_SHAPES } from './option-shapes.generated';
import { describeValue, quote } from './validation/syntax';

/** What to say besides the type expected, when a plain value is given for one of these. */
const WHY: Record<string, string> = {
  SecretValue: 'a credential written in the manifest is readable by anyone who can read the workload: put it in a Secret and pass { secret, key }',
};

/**
 * Refuses options a JavaScript caller got wrong, before anything is made: not an object, an
 * unknown key (with the closest known one), a value of the wrong type (with the type expected),
 * a missing required one. `scope` is the workload (or the construct's scope), for the message.
 * `refused` names keys a helper never takes, with why and what to do instead (a `token` where the
 * program logs in by itself): said before the closest known key would be suggested.
 */
export function checkOptions(scope: unknown, where: string, shapeName: string, value: unknown, refused: Record<string, string> = {}): void {
  // The label (the workload's construct path) is only made for a message.
  const fail = (problem: string): never => {
    throw new Error(`${labelOf(scope, where, value)}: ${problem}`);
  };
  // The workload itself (the scope, or props.workload) is the adapter's to judge (kplus.ts
  // workloadOrScope): it names the cdk8s-plus line a foreign workload comes from.
  const definition = OPTION_SHAPES[shapeName];
  if (!definition) throw new Error(`cdk8s-sidecars: no shape for ${shapeName}; run npx projen shapes`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const required = Object.entries(definition.props).filter(([, p]) => !p.optional).map(([k]) => k);
    fail(`the options must be an object${required.length ? ` with ${required.join(', ')}` : ''} (got ${describeValue(value)})`);
  }
  for (const [key, why] of Object.entries(refused)) {
    if ((value as Record<string, unknown>)[key] !== undefined) fail(`${key}: ${why}`);
  }
  const { workload: _workload, ...options } = value as Record<string, unknown>;
  checkValue(fail, '', { k: 'ref', name: shapeName }, options, 0);
}

/** The same check for an option factory (`LogOutput.loki(options)`), whose messages start with its name. */
export function checkFactoryOptions(factory: string, shapeName: string, value: unknown): void {
  const fail = (problem: string): never => {
    throw new Error(`${factory}: ${problem}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const required = Object.entries(OPTION_SHAPES[shapeName]?.props ?? {}).filter(([, p]) => !p.optional).map(([k]) => k);
    fail(`the options must be an object${required.length ? ` with ${required.join(', ')}` : ''} (got ${describeValue(value)})`);
  }
  checkValue(fail, '', { k: 'ref', name: shapeName }, value, 0);
}

function labelOf(scope: unknown, where: string, value: unknown): string {
  const given = (typeof value === 'object' && value !== null ? (value as { workload?: unknown }).workload : undefined);
  const isWorkload = (v: unknown): v is kplus.AbstractPod | ApiObject => v instanceof kplus.AbstractPod || v instanceof ApiObject;
  const workload = isWorkload(given) ? given : isWorkload(scope) ? scope : undefined;
  if (workload) return `${workloadLabel(workload)}, ${where}`;
  return scope instanceof Construct && scope.node.path ? `${where} in ${quote(scope.node.path)}` : where;
}

function checkValue(fail: (problem: string) => never, path: string, shape: Shape, value: unknown, depth: number): void {
  const problem = valueProblem(fail, path, shape, value, depth);
  if (!problem) return;
  // A credential given as a string is never shown back (messages land in CI logs).
  const secret = shape.k === 'ref' && /Secret/.test(shape.name);
  const why = shape.k === 'ref' && typeof value !== 'object' ? WHY[shape.name] ?? (secret ? WHY.SecretValue : undefined) : undefined;
  const got = secret && typeof value === 'string' ? 'a plain string' : describeValue(value);
  fail(`option ${path} must be ${problem} (got ${got})${why ? `; ${why}` : ''}`);
}

/** What `value` should have been, or undefined when it fits. Nested problems fail directly. */
function valueProblem(fail: (problem: string) => never, path: string, shape: Shape, value: unknown, depth: number): string | undefined {
  switch (shape.k) {
    case 'any': return undefined;
    case 'string': return typeof value === 'string' ? undefined : 'a string';
    case 'number': return typeof value === 'number' && !Number.isNaN(value) ? undefined : 'a number';
    case 'boolean': return typeof value === 'boolean' ? undefined : 'true or false';
    case 'function': return typeof value === 'function' ? undefined : 'a function';
    case 'literal': return shape.values.includes(value as string) ? undefined : orList(shape.names);
    case 'array':
      if (!Array.isArray(value)) return `an array of ${expected(shape.of)}`;
      value.forEach((item, i) => checkValue(fail, `${path}[${i}]`, shape.of, item, depth + 1));
      return undefined;
    case 'record':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return `an object of ${expected(shape.of)} values`;
      for (const [key, item] of Object.entries(value)) checkValue(fail, `${path}${keySegment(key)}`, shape.of, item, depth + 1);
      return undefined;
    case 'instance':
      if (!isInstanceOf(value, shape.name)) return expected(shape);
      return undefined;
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? undefined : article(shape.name);
    case 'ref':
      return refProblem(fail, path, shape.name, value, depth);
    case 'union': {
      const fits = shape.of.some((s) => {
        try {
          return valueProblem(fail, path, s, value, depth) === undefined;
        } catch {
          return false;
        }
      });
      return fits ? undefined : orList(shape.of.map(expected));
    }
  }
}

/** A record key in an option path: `.name`, or `["a\\nb"]` for a key a message must show escaped. */
function keySegment(key: string): string {
  return /^[\w$-]+$/.test(key) ? `.${key}` : `[${quote(key)}]`;
}

function refProblem(fail: (problem: string) => never, path: string, name: string, value: unknown, depth: number): string | undefined {
  const definition = OPTION_SHAPES[name];
  if (!definition) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return expected({ k: 'ref', name });
  // A class instance where a data interface is expected (kplus.Secret for a SecretValue's
  // secret is an interface with methods, not this): its own fields are not options.
  if (depth > 8) return undefined;
  // An object of a class (a construct implementing an interface such as IProxyTarget) carries
  // fields of its own beyond the interface: only a plain object literal is held to the known keys.
  const prototype = Object.getPrototypeOf(value);
  const literal = prototype === Object.prototype || prototype === null;
  for (const key of literal ? Object.keys(value) : []) {
    if (key in definition.props) continue;
    const known = Object.keys(definition.props);
    const near = closest(key, known);
    fail(`unknown option ${quote(key)}${path ? ` in ${path}` : ''}; ${near ? `did you mean ${quote(near)}?` : `the options are ${known.join(', ')}`}`);
  }
  // Every option of the interface, in its order (a message names the first wrong one); `for … in`
  // walks the keys without making an array of [key, prop] pairs at each call.
  for (const key in definition.props) {
    const prop = definition.props[key];
    const item = (value as Record<string, unknown>)[key];
    const itemPath = path ? `${path}.${key}` : key;
    if (item === undefined) {
      // A required `true` is an explicit opt-in: the helper explains what it opts into.
      const optIn = prop.shape.k === 'literal' && prop.shape.values.length === 1 && prop.shape.values[0] === true;
      if (!prop.optional && !optIn) fail(`option ${itemPath} is missing; give ${expected(prop.shape)}`);
      continue;
    }
    checkValue(fail, itemPath, prop.shape, item, depth + 1);
  }
  return undefined;
}

function expected(shape: Shape): string {
  switch (shape.k) {
    case 'any': return 'anything';
    case 'string': return 'a string';
    case 'number': return 'a number';
    case 'boolean': return 'true or false';
    case 'function': return 'a function';
    case 'literal': return orList(shape.names);
    case 'array': return `an array of ${expected(shape.of)}`;
    case 'record': return `an object of ${expected(shape.of)} values`;
    case 'instance':
      if (shape.members?.length) return `${article(shape.name)}: ${orList(shape.members)}`;
      return article(shape.name);
    case 'object': return article(shape.name);
    case 'ref': {
      const props = OPTION_SHAPES[shape.name]?.props ?? {};
      const keys = Object.entries(props).map(([k, p]) => `${k}${p.optional ? '?' : ''}`);
      return `${article(shape.name)} { ${keys.slice(0, 6).join(', ')}${keys.length > 6 ? ', …' : ''} }`;
    }
    case 'union': return orList(shape.of.map(expected));
  }
}

function article(name: string): string {
  return `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}`;
}

function orList(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** An instance of the class `name` or of a subclass, by name: a second copy of a package still counts. */
function isInstanceOf(value: unknown, name: string): boolean {
  if (typeof value !== 'object' || value === null) return false;
  for (let proto = Object.getPrototypeOf(value); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    if (proto.constructor?.name === name) return true;
  }
  return false;
}

/** The known key nearest to `key` (edit distance with transpositions, at most 2, or a prefix). */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = candidate.toLowerCase().startsWith(key.toLowerCase()) || key.toLowerCase().startsWith(candidate.toLowerCase())
      ? Math.min(2, distance(key.toLowerCase(), candidate.toLowerCase()))
      : distance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** Optimal string alignment distance. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
