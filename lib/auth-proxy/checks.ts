/**
 * withAuthProxy's input, each value checked by itself: URLs, Secret keys, routes, domains,
 * groups. Each function throws through `fail` with the fix, or returns the checked value.
 */
import { ApiObject } from 'cdk8s';
import { AuthProxySecretKey, SkipAuthRoute } from './options';
import { kplus } from '../engine/kplus';
import type { Fail } from '../engine/pod-facts';
import { hasControlCharacter, quote } from '../engine/validation/syntax';


const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * An absolute `https://` URL (or `http://` on a loopback host) with no credentials, query or
 * fragment.
 */
export function checkUrl(option: string, value: unknown, fail: Fail): URL {
  if (typeof value !== 'string' || value.trim() === '') fail(`${option} is empty; give an https:// URL`);
  const text = value as string;
  if (hasControlCharacter(text)) fail(`${option} ${quote(text)} holds a control character or NUL, which a URL parser drops or percent-encodes without a word; remove it`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail(`${option} ${quote(text)} is not an absolute URL; give one like "https://login.example.com"`);
  }
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    fail(`${option} ${quote(text)} is http://: tokens and codes would cross the network in clear text; give the https:// URL `
      + '(http:// is accepted only for a loopback host: localhost, 127.0.0.1, [::1])');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail(`${option} ${quote(text)} is not an https:// URL; give one like "https://login.example.com"`);
  if (url.username || url.password) fail(`${option} ${quote(text)} holds credentials; remove them from the URL`);
  if (url.search || url.hash || /[?#]/.test(text)) fail(`${option} ${quote(text)} has a query or fragment; remove it`);
  if (/\s/.test(text)) fail(`${option} ${quote(text)} holds white space; remove it`);
  return url;
}

/** The redirect URL: https, and the callback path oauth2-proxy serves (`<proxy-prefix>/callback`). */
export function checkRedirectUrl(value: string, fail: Fail): string {
  const url = checkUrl('redirectUrl', value, fail);
  if (url.pathname !== '/oauth2/callback') {
    fail(`redirectUrl ${quote(value)} ends in ${quote(url.pathname)}, but oauth2-proxy answers the issuer's redirect at "/oauth2/callback"; `
      + `give "${url.origin}/oauth2/callback" (and register it with the issuer)`);
  }
  return value;
}

/** A Secret key the proxy reads as a file: a kplus.ISecret and a valid key, never a plain string. */
export function checkSecretKey(option: string, given: unknown, fail: Fail): AuthProxySecretKey {
  if (typeof given === 'string') {
    fail(`${option} is a plain string; a secret in the pod spec is readable by anyone who can read the workload: `
      + 'put it in a Secret and pass { secret: kplus.Secret.fromSecretName(scope, id, name), key }');
  }
  const ref = given as Partial<AuthProxySecretKey> | undefined;
  if (ref === undefined || ref === null || typeof ref !== 'object' || ref.secret === undefined || typeof ref.secret.name !== 'string') {
    fail(`${option} must be { secret, key }: a kplus.ISecret (kplus.Secret, or kplus.Secret.fromSecretName(…)) and the key holding the value`);
  }
  const key = ref!.key;
  if (typeof key !== 'string' || !/^[-._a-zA-Z0-9]{1,253}$/.test(key)) {
    fail(`${option}.key ${quote(key)} is not a Secret key; a key is 1 to 253 letters, digits, "-", "_" or "."`);
  }
  return { secret: ref!.secret!, key: key! };
}

/**
 * What is wrong with the value of a Secret made in the chart, read at synthesis (keys may be
 * added to a kplus.Secret after the call); nothing for a Secret imported by name, whose value
 * only the cluster knows.
 */
export function secretValueProblems(option: string, ref: AuthProxySecretKey, valueProblem: (value: string) => string | undefined): string[] {
  const secret = ref.secret;
  if (!(secret instanceof kplus.Secret)) return [];
  let json: { stringData?: Record<string, string>; data?: Record<string, string> };
  try {
    json = ApiObject.of(secret).toJson() as typeof json;
  } catch {
    return [];
  }
  const data: Record<string, string> = { ...json.stringData };
  for (const [k, v] of Object.entries(json.data ?? {})) data[k] = Buffer.from(v, 'base64').toString('utf8');
  if (!(ref.key in data)) {
    const keys = Object.keys(data);
    return [`${option}.key ${quote(ref.key)} is not a key of Secret ${quote(secret.name)} (it has ${keys.length ? keys.map((k) => `${quote(k)}`).join(', ') : 'none'}); `
      + 'the pod would never start: pass one of those, or add the key to the Secret'];
  }
  const problem = valueProblem(data[ref.key]);
  return problem ? [`${option}: the value of key ${quote(ref.key)} of Secret ${quote(secret.name)} ${problem}`] : [];
}

/** The client secret file is used byte for byte (providers/provider_data.go GetClientSecret). */
export function clientSecretProblem(value: string): string | undefined {
  if (value === '') return 'is empty; store the client secret the issuer gave';
  if (/\s$/.test(value)) return 'ends with a newline or space, which oauth2-proxy would send as part of the secret; store it without';
  return undefined;
}

/**
 * The cookie secret as oauth2-proxy reads it (pkg/encryption `SecretBytes`): URL-safe base64
 * without padding that decodes to 16, 24 or 32 bytes, else the raw bytes, which must be 16, 24
 * or 32 long.
 */
export function cookieSecretProblem(value: string): string | undefined {
  // Go: base64.RawURLEncoding.DecodeString(strings.TrimRight(secret, "=")); the decoder skips
  // "\r" and "\n" wherever they are, so a trailing newline after base64 does no harm.
  const base64 = value.replace(/=+$/, '').replace(/[\r\n]/g, '');
  if (/^[A-Za-z0-9_-]*$/.test(base64) && base64.length % 4 !== 1) {
    const decoded = Buffer.from(base64, 'base64url').length;
    if ([16, 24, 32].includes(decoded)) return undefined;
  }
  const raw = Buffer.byteLength(value, 'utf8');
  if ([16, 24, 32].includes(raw)) return undefined;
  const hint = /[+/]/.test(value) ? ' (standard base64 with "+" or "/" is not read as base64: use the URL-safe alphabet, "-" and "_")' : '';
  return `is ${raw} bytes${hint}, and not URL-safe base64 of 16, 24 or 32 bytes; oauth2-proxy needs 16, 24 or 32 bytes `
    + '(an AES key): store 32 random bytes, or `openssl rand -base64 32 | tr -- \'+/\' \'-_\'`';
}

/** Email domains: `*`, `example.com`, or `.example.com` / `*.example.com` for subdomains. */
export function checkEmailDomain(value: unknown, fail: Fail): string {
  if (value === '*') return value;
  if (typeof value !== 'string' || !/^(\*\.|\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/.test(value)) {
    fail(`emailDomains entry ${quote(value)} is not a domain; give a lowercase domain like "example.com" `
      + '(".example.com" or "*.example.com" for its subdomains too), or "*" for any');
  }
  return value as string;
}

/** A group name: any text but empty or with control characters. */
export function checkGroup(value: unknown, fail: Fail): string {
  if (typeof value !== 'string' || value.trim() === '' || /[\u0000-\u001f\u007f]/.test(value)) {
    fail(`allowedGroups entry ${quote(value)} is not a group name; give the name as the issuer puts it in the groups claim`);
  }
  return value as string;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE'];

/**
 * A skip-auth route as oauth2-proxy's `--skip-auth-route` takes it: `METHOD=regex` per method,
 * or the regex alone for every method. oauth2-proxy splits the value at its first `=` (or
 * `!=`, which negates; oauth2proxy.go buildRoutesAllowlist), so a `=` in a pattern is written
 * `\x3D`, which RE2 reads as the same character.
 */
export function renderSkipRoute(route: SkipAuthRoute, fail: Fail): string[] {
  if (!(route instanceof SkipAuthRoute)) fail('skipAuthRoutes holds something that is not a SkipAuthRoute; use SkipAuthRoute.path(…), .prefix(…) or .regex(…)');
  const label = `SkipAuthRoute.${route.kind}(${quote(route.value)})`;
  let pattern: string;
  if (route.kind === 'regex') {
    pattern = checkRegex(label, route.value, fail);
  } else {
    checkRoutePath(label, route.value, route.kind === 'prefix', fail);
    pattern = `^${escapeRegex(route.value)}${route.kind === 'path' ? '$' : ''}`;
  }
  const methods = route.methods;
  if (methods === undefined) return [pattern];
  if (!Array.isArray(methods) || methods.length === 0) fail(`${label}: methods is empty; leave it out for every method, or name some ("GET")`);
  const seen = new Set<string>();
  return methods.map((method) => {
    if (!METHODS.includes(method)) fail(`${label}: method ${quote(method)} is not an HTTP method; give one of ${METHODS.join(', ')}`);
    if (seen.has(method)) fail(`${label}: method ${method} is given twice; give it once`);
    seen.add(method);
    return `${method}=${pattern}`;
  });
}

/** A literal path for an exact or prefix route, as oauth2-proxy can match it. */
function checkRoutePath(label: string, value: string, prefix: boolean, fail: Fail): void {
  if (typeof value !== 'string' || !value.startsWith('/')) fail(`${label}: a path starts with "/"`);
  if (/[?#]/.test(value)) fail(`${label}: oauth2-proxy matches the path without query or fragment; remove the "?…" or "#…"`);
  // oauth2-proxy declines the exemption for these whatever the pattern (overview.md,
  // "Skip-auth path matching"): a route for them would never apply.
  if (/[\u0000-\u0020\u007f;\\]/.test(value) || value.includes('//') || /(^|\/)\.\.?(\/|$)/.test(value)) {
    fail(`${label}: oauth2-proxy never exempts a path with white space, control characters, ";", "\\", "//", "." or ".." segments; give a plain path`);
  }
  if (prefix && !value.endsWith('/')) {
    fail(`${label}: a prefix ends with "/", or ${quote(value)} would also match ${quote(`${value}-admin`)}; give ${quote(`${value}/`)}, or SkipAuthRoute.path for the one path`);
  }
}

/** A user's regular expression: anchored, valid, and in the RE2 syntax oauth2-proxy compiles. */
function checkRegex(label: string, value: string, fail: Fail): string {
  if (typeof value !== 'string' || !value.startsWith('^')) {
    fail(`${label}: the pattern is not anchored with "^", so it would match anywhere in the path (${quote(`/admin/x${typeof value === 'string' ? value : ''}`)} too); start it with "^"`);
  }
  try {
    new RegExp(value);
  } catch (e) {
    fail(`${label}: not a valid regular expression (${(e as Error).message.replace(/^Invalid regular expression: /, '')}); fix the pattern`);
  }
  // RE2 (Go's regexp) has no look-around and no back-references.
  if (/\(\?<?[=!]/.test(value) || /\\[1-9]|\\k</.test(value)) {
    fail(`${label}: look-around and back-references are not in Go's RE2 syntax, which oauth2-proxy compiles; rewrite the pattern without them`);
  }
  if (/[\u0000-\u001f\u007f]/.test(value)) fail(`${label}: the pattern holds control characters; write them as \\x escapes`);
  if (value.includes('=')) {
    fail(`${label}: oauth2-proxy splits a route at its first "=" (METHOD=pattern); write "=" in the pattern as \\x3D`);
  }
  return value;
}

const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|]/g;

/** `value` as an RE2 pattern matching it literally, with `=` and `!` as hex escapes. */
export function escapeRegex(value: string): string {
  return value.replace(REGEX_SPECIAL, '\\$&').replace(/=/g, '\\x3D').replace(/!/g, '\\x21');
}
