/**
 * The configuration files the helpers put in ConfigMaps (Fluent Bit, Vector, Envoy, nginx),
 * rendered once per distinct model in a process.
 *
 * A fleet of workloads given the same options renders the same file for every one of them:
 * building the file's data and writing its text is most of a helper's own cost at
 * synth time (bench/RESULTS.md). Each renderer is a pure function of a small model (ports,
 * paths, timeouts, outputs) and never reads a construct, so the model's JSON identifies the
 * file: it is looked up before anything is rendered.
 */
import { Construct } from 'constructs';

/**
 * A configuration file's text. (The checksum annotation that rolls the pods is computed by the
 * attach, over all of a program's files: engine/attach.ts.)
 */
export interface ConfigFile {
  readonly text: string;
}

/** A renderer: a pure function of its model. Give a module-level function, so that its files are shared. */
export type Renderer<M> = (model: M) => string;

const MAX_FILES_PER_RENDERER = 512;

const cache = new Map<Renderer<never>, Map<string, ConfigFile>>();

/**
 * The file `render(model)` and its checksum, computed once per renderer and distinct model.
 *
 * The key is the model's JSON. Constructs in the model (the Secret behind a credential, the
 * ConfigMap behind a CA) are keyed by their path, since renderers name them only through the
 * model's plain fields (an environment variable, a file path), and whatever JSON would drop or
 * merge is kept apart. At most 512 files per renderer are kept. The model must not change
 * after the call.
 */
export function renderConfigFile<M>(render: Renderer<M>, model: M): ConfigFile {
  let files = cache.get(render as Renderer<never>);
  if (!files) {
    files = new Map();
    cache.set(render as Renderer<never>, files);
  }
  const key = JSON.stringify(model, keyPart);
  let file = files.get(key);
  if (!file) {
    const text = render(model);
    file = { text };
    if (files.size >= MAX_FILES_PER_RENDERER) files.clear();
    files.set(key, file);
  }
  return file;
}


/**
 * JSON's view of a model, made exact for the key: every value JSON would drop, merge or
 * convert (an undefined list item, NaN, a function, an object with `toJSON`) gets a key of
 * its own, so the renderer still sees it (and refuses it) instead of the file of another model.
 */
function keyPart(this: unknown, key: string, value: unknown): unknown {
  switch (typeof value) {
    case 'boolean':
      return value;
    case 'string':
      // A string that toJSON made of an object (a Date), or one that looks like a marker here.
      if (typeof (this as Record<string, unknown>)[key] !== 'string') return `\u0000toJSON:${value}`;
      return value.charCodeAt(0) === 0 ? `\u0000string:${value}` : value;
    case 'number':
      return Number.isFinite(value) ? value : `\u0000number:${value}`;
    case 'object':
      return value !== null && Construct.isConstruct(value) ? `\u0000construct:${value.node.path}` : value;
    case 'undefined':
      return Array.isArray(this) ? '\u0000undefined' : undefined;
    default:
      return `\u0000${typeof value}:${String(value)}`;
  }
}
