/** The shapes of options (tools/option-shapes.ts writes them; input.ts checks values against them). */

/** What a value must be. */
export type Shape =
  | { readonly k: 'any' } | { readonly k: 'string' } | { readonly k: 'number' } | { readonly k: 'boolean' } | { readonly k: 'function' }
  | { readonly k: 'literal'; readonly values: ReadonlyArray<string | number | boolean>; readonly names: readonly string[] }
  | { readonly k: 'array'; readonly of: Shape }
  | { readonly k: 'record'; readonly of: Shape }
  /**
   * An instance of the class `name` (or a subclass); `members` lists its static instances
   * (`ProxyEngine.ENVOY`) or else its static factories (`ConfigSource.git(…)`), for messages.
   */
  | { readonly k: 'instance'; readonly name: string; readonly members?: readonly string[] }
  /** An interface implemented by classes (it has methods): any object. */
  | { readonly k: 'object'; readonly name: string }
  /** A data interface: its keys, checked one by one. */
  | { readonly k: 'ref'; readonly name: string }
  | { readonly k: 'union'; readonly of: readonly Shape[] };

export type ShapeDefinitions = Record<string, { readonly props: Record<string, { readonly shape: Shape; readonly optional: boolean }> }>;
