/**
 * Consul Templates from checked values: `SecretTemplate.kv` and `.database` become the text
 * Vault Agent renders (consul-template's `secret` function).
 *
 * Every value goes into the template as a Go string literal (JSON's string syntax is a subset of
 * Go's: `"`, `\` and control characters escaped), so a path or key holding `"`, `}}` or `{{`
 * stays inside its string: text/template's lexer reads a quoted string to its closing quote
 * before it looks for `}}`. The paths are also checked to plain characters before (checks.ts).
 *
 * KV v2 keeps a secret's keys under `.Data.data` and reads `<mount>/data/<path>`; KV v1 keeps
 * them under `.Data` at `<mount>/<path>` (Vault docs, agent-and-proxy/agent/template "secret",
 * and consul-template docs/templating-language.md "secret": `?version=` selects a KV v2 version).
 */
import type { DatabaseSecretOptions, KvSecretOptions } from './options';

/** A Go string literal of `value`. */
export function goString(value: string): string {
  return JSON.stringify(value);
}

/** A field read as `.a.b.name`, which `error_on_missing_key` turns into an error when missing. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The secret's API path, the text of the file, and whether a missing key can fail the render. */
export interface BuiltTemplate {
  readonly secretPath: string;
  readonly contents: string;
}

export function kvTemplate(options: Required<Pick<KvSecretOptions, 'path' | 'mount' | 'kvVersion'>> & KvSecretOptions): BuiltTemplate {
  const v2 = options.kvVersion === 2;
  const secretPath = v2 ? `${options.mount}/data/${options.path}` : `${options.mount}/${options.path}`;
  const query = v2 && options.version !== undefined ? `?version=${options.version}` : '';
  const data = v2 ? '.Data.data' : '.Data';
  let body: string;
  if (options.field === undefined) {
    body = `{{ ${data} | toJSON }}`;
  } else if (IDENTIFIER.test(options.field)) {
    body = `{{ ${data}.${options.field} }}`;
  } else {
    // Not an identifier (`api-key`): read with index, which renders "<no value>" for a missing
    // key instead of failing (text/template's missingkey option does not cover index).
    body = `{{ index ${data} ${goString(options.field)} }}`;
  }
  return { secretPath, contents: `{{ with secret ${goString(secretPath + query)} }}${body}{{ end }}` };
}

export function databaseTemplate(options: Required<DatabaseSecretOptions>): BuiltTemplate {
  const secretPath = `${options.mount}/creds/${options.role}`;
  // One `secret` call: the username and password of one lease, together.
  return { secretPath, contents: `{{ with secret ${goString(secretPath)} }}{{ .Data | toJSON }}{{ end }}` };
}
