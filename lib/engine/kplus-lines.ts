/**
 * The cdk8s-plus lines this library is built for, and how a value tells which line (and which
 * copy of it) it comes from.
 *
 * One source, one build per line: `cdk8s-sidecars` is built for cdk8s-plus-28, and
 * `cdk8s-sidecars/plus-XX` for each later line (emitted from the same build by
 * tools/lines/emit.js, which rewrites the adapter's import and nothing else). This module imports
 * no cdk8s-plus: it reads the jsii type information every cdk8s-plus class carries
 * (`Symbol.for('jsii.rtti')`: `{ fqn: 'cdk8s-plus-33.Deployment', version: '2.5.57' }`), so it
 * can name the line of any construct, whichever copy of cdk8s-plus made it.
 */
import { Construct } from 'constructs';
import { quote } from './validation/syntax';

/** The entry to import for each cdk8s-plus line (package.json `exports`, kept equal by test/lines/entries.test.ts). */
export const LINE_ENTRIES: Readonly<Record<string, string>> = {
  'cdk8s-plus-28': 'cdk8s-sidecars',
  'cdk8s-plus-31': 'cdk8s-sidecars/plus-31',
  'cdk8s-plus-32': 'cdk8s-sidecars/plus-32',
  'cdk8s-plus-33': 'cdk8s-sidecars/plus-33',
};

const JSII_RTTI = Symbol.for('jsii.rtti');

/** A jsii class as its type information names it. */
export interface JsiiClass {
  /** The package, e.g. `cdk8s-plus-33`. */
  readonly package: string;
  /** The package's version, e.g. `2.5.57`. */
  readonly version: string;
  /** The class name, e.g. `Deployment`. */
  readonly name: string;
}

/** The jsii class of `ctor` itself, when it carries its own type information. */
function ownJsiiClass(ctor: unknown): JsiiClass | undefined {
  if (typeof ctor !== 'function' || !Object.prototype.hasOwnProperty.call(ctor, JSII_RTTI)) return undefined;
  const rtti = (ctor as unknown as Record<symbol, { fqn?: unknown; version?: unknown } | undefined>)[JSII_RTTI];
  if (typeof rtti?.fqn !== 'string') return undefined;
  const dot = rtti.fqn.indexOf('.');
  return { package: rtti.fqn.slice(0, dot), version: String(rtti.version ?? 'unknown'), name: rtti.fqn.slice(dot + 1) };
}

/** Every jsii class of `value`'s class chain, nearest first (a user's subclass has none of its own). */
export function jsiiClasses(value: unknown): JsiiClass[] {
  const found: JsiiClass[] = [];
  if (typeof value !== 'object' || value === null) return found;
  for (let ctor: unknown = value.constructor; typeof ctor === 'function' && ctor !== Function.prototype; ctor = Object.getPrototypeOf(ctor)) {
    const own = ownJsiiClass(ctor);
    if (own) found.push(own);
  }
  return found;
}

/** The jsii class of a class itself (for the line this build loaded). */
export function jsiiClassOf(ctor: unknown): JsiiClass | undefined {
  return ownJsiiClass(ctor);
}

/** `a string`, `undefined`, `a Service of cdk8s-plus-28 "chart/svc"`, `a construct "chart/x" (Foo)`: what a value is, for messages. */
export function describeValue(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  if (typeof value !== 'object' && typeof value !== 'function') return `a ${typeof value} (${typeof value === 'string' ? quote(value) : String(value)})`;
  if (!Construct.isConstruct(value)) {
    const name = (value as { constructor?: { name?: string } }).constructor?.name;
    return name && name !== 'Object' ? `an object of class ${name}, not a construct` : 'a plain object, not a construct';
  }
  const path = value.node.path || '<app>';
  const jsii = jsiiClasses(value)[0];
  if (jsii) return `a ${jsii.name} of ${jsii.package} ${quote(path)}`;
  return `a construct ${quote(path)} (${value.constructor.name})`;
}

/** `'cdk8s-sidecars' (cdk8s-plus-28), 'cdk8s-sidecars/plus-31' (cdk8s-plus-31), …`. */
function entryList(): string {
  return Object.entries(LINE_ENTRIES).map(([line, entry]) => `'${entry}' (${line})`).join(', ');
}

/**
 * Why `value`, a pod of some cdk8s-plus, is not one this build can use, and what to import
 * instead; undefined when it is not a cdk8s-plus pod at all. `ours` is the line this build
 * loaded (its AbstractPod's jsii class).
 */
export function foreignPodProblem(value: unknown, ours: JsiiClass): string | undefined {
  const chain = jsiiClasses(value);
  const pod = chain.find((c) => c.name === 'AbstractPod');
  if (!pod || !Construct.isConstruct(value)) return undefined;
  const kind = chain[0].name;
  const path = value.node.path || '<app>';
  const oursEntry = LINE_ENTRIES[ours.package] ?? 'cdk8s-sidecars';
  if (pod.package === ours.package) {
    return `the workload ${quote(path)} is a ${kind} of another copy of ${pod.package} (${pod.version}) than the one '${oursEntry}' `
      + `uses (${ours.version}): the app has two copies of ${pod.package} installed; run \`npm ls ${pod.package}\`, `
      + 'then `npm dedupe` (or align the versions) so that the app and cdk8s-sidecars load the same one';
  }
  const theirs = LINE_ENTRIES[pod.package];
  if (theirs) {
    return `the workload ${quote(path)} is a ${kind} of ${pod.package} (${pod.version}), but '${oursEntry}' is the entry for `
      + `${ours.package}; import from '${theirs}' instead, the entry for ${pod.package}`;
  }
  return `the workload ${quote(path)} is a ${kind} of ${pod.package} (${pod.version}), a line cdk8s-sidecars has no entry for; `
    + `use a line it has an entry for: ${entryList()}`;
}

/**
 * Throws, naming the entry to import, unless `line` (the cdk8s-plus package this build is for)
 * can be loaded from where cdk8s-sidecars is installed. Every line is an optional peer, so an
 * app on cdk8s-plus-33 that imports the cdk8s-plus-28 entry would otherwise stop on a bare
 * "Cannot find module 'cdk8s-plus-28'". `resolve` is `require.resolve` (a parameter for the tests).
 */
export function checkLineInstalled(line: string, resolve: (id: string) => string = require.resolve): void {
  const installed = (name: string) => {
    try {
      resolve(name);
      return true;
    } catch {
      return false;
    }
  };
  if (installed(line)) return;
  const entry = LINE_ENTRIES[line] ?? 'cdk8s-sidecars';
  const present = Object.keys(LINE_ENTRIES).filter((other) => other !== line && installed(other));
  const fix = present.length > 0
    ? `the app has ${present.join(', ')}: import from ${present.map((p) => `'${LINE_ENTRIES[p]}'`).join(' or ')} instead`
    : `install the cdk8s-plus line the app uses (cdk8s init installs the newest) and import its entry: ${entryList()}`;
  throw new Error(`cdk8s-sidecars: '${entry}' is the entry for ${line}, which is not installed; ${fix}`);
}
