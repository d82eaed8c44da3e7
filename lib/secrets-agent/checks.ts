/**
 * Call-time checks of withSecretsAgent: input that is wrong by itself is refused before the pod
 * is touched, with the value received, what was expected and the fix.
 */
import { Duration } from 'cdk8s';
import {
  DatabaseSecretOptions, KvSecretOptions, SecretFile, SecretTemplate, TemplateSpec, VaultCaCertificate, CaSpec,
} from './options';
import { BuiltTemplate, databaseTemplate, kvTemplate } from './templates';
import type { Fail } from '../engine/pod-facts';
import { ConfigReload, HttpPostSpec, reloadSpec, SignalSpec } from '../engine/reload';
import { hasControlCharacter, quote } from '../engine/validation/syntax';

/** Throws with the workload's label and `withSecretsAgent` in front. */
export type { Fail };

/** One segment of a Vault path: a mount, a secret's path, a role. */
const VAULT_SEGMENT = /^[A-Za-z0-9_@+=:-][A-Za-z0-9_.@+=:-]*$/;
/** One segment of a file path in the folder. */
const FILE_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
/** Vault tokens: service (hvs.), batch (hvb.), recovery (hvr.), and the pre-1.10 `s.` form. */
const VAULT_TOKEN = /\bhv[sbr]\.[A-Za-z0-9_-]{20,}|\bs\.[A-Za-z0-9]{24}\b/;

/** Refuses a string that holds something shaped like a Vault token. */
export function refuseToken(fail: Fail, option: string, value: string): void {
  if (VAULT_TOKEN.test(value)) {
    fail(`${option} holds what looks like a Vault token ("${value.match(VAULT_TOKEN)![0].slice(0, 6)}…"); a token in the options would `
      + 'land in a ConfigMap or the pod spec. The agent logs in with the pod\'s service-account token: give the role, never a token');
  }
}

/** A slash-separated Vault path, checked segment by segment. */
export function checkVaultPath(fail: Fail, option: string, value: unknown, example: string): string {
  if (typeof value !== 'string' || value === '') fail(`${option} is missing; give a path like ${quote(example)}`);
  const path = (value as string).replace(/^\/+|\/+$/g, '');
  const bad = path.split('/').find((s) => !VAULT_SEGMENT.test(s) || s === '..' || s === '.');
  if (bad !== undefined || path === '') {
    fail(`${option} ${quote(value)} is not a Vault path: segments of letters, digits and "_ - . @ + = :" between "/", `
      + `no "." or ".." segment (got ${quote(bad ?? '')}); for example ${quote(example)}`);
  }
  refuseToken(fail, option, path);
  return path;
}

/** The Vault address: http(s), a host, an optional port; no credentials, path, query or fragment. */
export function checkAddress(fail: Fail, address: unknown): { address: string; tls: boolean } {
  if (typeof address !== 'string' || address === '') fail('address is missing; give the Vault server\'s URL, for example "https://vault.vault.svc:8200"');
  if (hasControlCharacter(address as string)) fail(`address ${quote(address)} holds a control character or NUL, which a URL parser drops or percent-encodes without a word; remove it`);
  let url: URL;
  try {
    url = new URL(address as string);
  } catch {
    return fail(`address ${quote(address)} is not a URL; give the Vault server's URL, for example "https://vault.vault.svc:8200"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    fail(`address ${quote(address)} is not http:// or https:// (it is ${url.protocol}); Vault Agent talks HTTP(S) to Vault, for example "https://vault.vault.svc:8200"`);
  }
  if (url.username !== '' || url.password !== '') {
    fail(`address "${url.protocol}//…@${url.host}" holds credentials; remove them: the agent logs in with the pod's service-account token`);
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    fail(`address ${quote(address)} has a path, query or fragment; give only the scheme, host and port, for example "${url.protocol}//${url.host}"`);
  }
  return { address: `${url.protocol}//${url.host}`, tls: url.protocol === 'https:' };
}

/** A file path in the folder, normalized: relative, plain segments, no `..`. */
export function checkFilePath(fail: Fail, folder: string, path: unknown): string {
  if (typeof path !== 'string' || path === '') fail('secrets: a file has no path; give its name in the folder, for example "db.json"');
  const p = path as string;
  if (p.startsWith('/')) {
    fail(`secrets: path ${quote(p)} is absolute; give it relative to the folder ${quote(folder)}, for example ${quote(p.split('/').pop() || 'db.json')}`);
  }
  const segments = p.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) {
    fail(`secrets: path ${quote(p)} leaves the folder ${quote(folder)} (".."); the agent writes only inside it: give a path inside, for example "db.json"`);
  }
  const bad = segments.find((s) => !FILE_SEGMENT.test(s));
  if (bad !== undefined || segments.length === 0) {
    fail(`secrets: path ${quote(p)} is not a plain file path: segments of letters, digits, "_", "-" and "." (not first), between "/"; for example "tls/key.pem"`);
  }
  return segments.join('/');
}

/** A file mode the app can read through the pod's fsGroup (the agent owns the file). */
export function checkPerms(fail: Fail, file: string, perms: unknown): number {
  const mode = perms === undefined ? 0o640 : perms;
  if (typeof mode !== 'number' || !Number.isInteger(mode) || mode < 0 || mode > 0o777) {
    fail(`secrets: ${quote(file)}: perms ${String(perms)} must be a file mode from 0o000 to 0o777, for example 0o640`);
  }
  const m = mode as number;
  // The octal digits: owner, group, other; read is 4.
  const [groupDigit, other] = [Math.floor(m / 0o10) % 8, m % 8];
  if (groupDigit < 4 && other < 4) {
    fail(`secrets: ${quote(file)}: perms 0o${m.toString(8)} lets only the agent read the file; add group read (0o040): the app reads it through the pod's fsGroup`);
  }
  return m;
}

/** A SecretTemplate's text and, for messages, the Vault path it reads. */
export function checkTemplate(fail: Fail, file: string, template: unknown): BuiltTemplate & { generated: boolean } {
  if (!(template instanceof SecretTemplate)) {
    fail(`secrets: ${quote(file)}: template must be a SecretTemplate (SecretTemplate.kv, SecretTemplate.database or SecretTemplate.raw)`);
  }
  const spec: TemplateSpec = (template as SecretTemplate)._spec;
  const where = `secrets: ${quote(file)}`;
  switch (spec.kind) {
    case 'kv':
      return { ...kvTemplate(checkKv(fail, where, spec.options)), generated: true };
    case 'database':
      return { ...databaseTemplate(checkDatabase(fail, where, spec.options)), generated: true };
    case 'raw': {
      const contents = spec.contents;
      if (typeof contents !== 'string' || !contents.includes('{{') || !contents.includes('}}')) {
        fail(`${where}: SecretTemplate.raw holds no {{ … }} action; a template without one is static text, which would sit in a `
          + 'ConfigMap: put a secret in a Vault path and read it with {{ with secret "…" }}, or use SecretTemplate.kv');
      }
      refuseToken(fail, `${where}: SecretTemplate.raw`, contents);
      return { secretPath: '', contents, generated: false };
    }
  }
  return fail(`${where}: unknown template`);
}

function checkKv(fail: Fail, where: string, options: KvSecretOptions) {
  if (typeof options !== 'object' || options === null) fail(`${where}: SecretTemplate.kv needs { path, field? }`);
  const mount = checkVaultPath(fail, `${where}: mount`, options.mount ?? 'secret', 'secret');
  const kvVersion = options.kvVersion ?? 2;
  if (kvVersion !== 1 && kvVersion !== 2) fail(`${where}: kvVersion ${String(options.kvVersion)} must be 1 or 2`);
  const path = checkVaultPath(fail, `${where}: path`, options.path, 'web/api');
  if (kvVersion === 2 && (path.startsWith('data/') || path.startsWith(`${mount}/`))) {
    fail(`${where}: path ${quote(path)} starts with ${quote(path.startsWith('data/') ? 'data/' : `${mount}/`)}; give the path as \`vault kv get\` takes it, `
      + `without the mount and "data/" (SecretTemplate.kv adds both): ${quote(path.replace(/^(.*?\/)?data\//, ''))}`);
  }
  if (options.field !== undefined && (typeof options.field !== 'string' || options.field === '')) {
    fail(`${where}: field ${quote(options.field)} must be a key of the secret, for example "password"`);
  }
  if (options.version !== undefined) {
    if (kvVersion !== 2) fail(`${where}: version ${options.version} needs KV version 2 (KV version 1 keeps one version); remove version`);
    if (!Number.isInteger(options.version) || options.version < 1) fail(`${where}: version ${options.version} must be a whole number from 1`);
  }
  return { ...options, mount, path, kvVersion };
}

function checkDatabase(fail: Fail, where: string, options: DatabaseSecretOptions) {
  if (typeof options !== 'object' || options === null) fail(`${where}: SecretTemplate.database needs { role }`);
  const mount = checkVaultPath(fail, `${where}: mount`, options.mount ?? 'database', 'database');
  const role = options.role;
  if (typeof role !== 'string' || !VAULT_SEGMENT.test(role)) {
    fail(`${where}: database role ${quote(role)} must be a role name (letters, digits, "_ - . @ + = :"), for example "web"`);
  }
  return { mount, role };
}

/** The CA volume's source, checked. */
export function checkCa(fail: Fail, ca: unknown): CaSpec {
  if (!(ca instanceof VaultCaCertificate)) fail('caCertificate must be a VaultCaCertificate (VaultCaCertificate.fromConfigMap or .fromSecret)');
  const spec = (ca as VaultCaCertificate)._spec;
  if (typeof spec.key !== 'string' || !/^[-._a-zA-Z0-9]+$/.test(spec.key)) {
    fail(`caCertificate: key ${quote(spec.key)} is not a ConfigMap/Secret key (letters, digits, "-", "_", ".")`);
  }
  return spec;
}

/** A file's reload: its own, none (`false`), or the agent's. */
export function fileReload(fail: Fail, file: SecretFile, fallback: ConfigReload | undefined): HttpPostSpec | SignalSpec | undefined {
  if (file.reload === false) return undefined;
  if (file.reload === undefined) return fallback === undefined ? undefined : reloadSpec(fail, fallback);
  return reloadSpec(fail, file.reload);
}

/** Whole seconds of a Duration, within bounds. */
export function checkSeconds(fail: Fail, option: string, value: Duration, min: number, example: string): number {
  const seconds = value.toSeconds({ integral: false });
  if (!Number.isInteger(seconds) || seconds < min) fail(`${option} ${seconds}s must be whole seconds, at least ${min}s; for example ${example}`);
  return seconds;
}
