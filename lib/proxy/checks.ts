/**
 * withProxy's checks of the security options (response headers, removed request headers,
 * faults, rate limit, internal paths) into the plain values of the model. Pure: a problem
 * throws through `fail` with the option, the value (quoted) and the fix.
 */
import { Duration } from 'cdk8s';
import { ProxyModel } from './model';
import { FrameAncestors, ProxyEngine, ProxyFaults, ProxyRateLimit, SecurityHeaders } from './options';
import type { Fail } from '../engine/pod-facts';
import { normalizeInternalPath } from '../engine/validation/internal-paths';
import { quote } from '../engine/validation/syntax';


/** RFC 9110 section 5.1 (was RFC 7230 section 3.2.6): a field name is a `token`. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Envoy's limit on a header's key and value (`max_bytes: 16384` on config.core.v3.HeaderValue,
 * api/envoy/config/core/v3/base.proto).
 */
const MAX_HEADER_BYTES = 16384;

/**
 * Headers that frame the message or the connection: the proxy writes them itself, and setting or
 * removing one breaks the exchange (Envoy refuses `host` and `:`-pseudo-headers in header
 * mutations, nginx would send two Content-Length).
 */
const FRAMING_HEADERS = new Set(['connection', 'content-length', 'transfer-encoding', 'keep-alive', 'upgrade', 'te', 'trailer', 'proxy-connection', 'host']);

/** Request headers withProxy writes itself for the app (X-Forwarded-For/-Proto, nginx's X-Real-IP): removing them is refused. */
const HEADERS_THE_PROXY_SETS = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-real-ip']);

/**
 * The identity headers oauth2-proxy sets on the request it sends on (`--pass-user-headers`,
 * `--pass-access-token`) or on its auth response (`--set-xauthrequest`): a proxy in front of
 * an authenticating withAuthProxy removes them from what clients send, so that no client
 * reaches the auth proxy, or the app behind it, with an identity of its own making. oauth2-proxy
 * replaces those it sets itself; these are removed whatever its options.
 * @see https://oauth2-proxy.github.io/oauth2-proxy/configuration/overview#command-line-options
 */
export const AUTH_PROXY_IDENTITY_HEADERS: readonly string[] = [
  'X-Forwarded-User', 'X-Forwarded-Email', 'X-Forwarded-Groups', 'X-Forwarded-Preferred-Username', 'X-Forwarded-Access-Token',
  'X-Auth-Request-User', 'X-Auth-Request-Email', 'X-Auth-Request-Groups', 'X-Auth-Request-Preferred-Username', 'X-Auth-Request-Access-Token',
];

/** One year, the max-age OWASP and hstspreload.org ask for. */
const DEFAULT_HSTS = Duration.days(365);

/** Referrer-Policy tokens (https://www.w3.org/TR/referrer-policy/#referrer-policies). */
const REFERRER_POLICIES = ['no-referrer', 'no-referrer-when-downgrade', 'same-origin', 'origin', 'strict-origin',
  'origin-when-cross-origin', 'strict-origin-when-cross-origin', 'unsafe-url'];

function headerNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || !TOKEN.test(name)) {
    return 'is not an HTTP header name (RFC 9110: letters, digits and !#$%&\'*+-.^_`|~, no spaces or colons)';
  }
  if (name.length > MAX_HEADER_BYTES) return `is longer than the ${MAX_HEADER_BYTES} bytes Envoy takes`;
  return undefined;
}

function headerValueProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'is not a string';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value)) return 'holds a line break or another control character, which would split or end the header';
  if (/[^\u0009\u0020-\u007e]/.test(value)) return 'holds a character outside printable ASCII; percent-encode it';
  if (value !== value.trim()) return 'begins or ends with white space, which HTTP strips';
  if (value.length > MAX_HEADER_BYTES) return `is longer than the ${MAX_HEADER_BYTES} bytes Envoy takes`;
  return undefined;
}

/** The response headers, checked, in order; a later header of a name replaces an earlier one. */
export function resolveResponseHeaders(fail: Fail, headers: SecurityHeaders | undefined, tls: boolean): Array<{ name: string; value: string }> {
  if (headers === undefined) return [];
  if (!(headers instanceof SecurityHeaders)) fail('responseHeaders must be SecurityHeaders.recommended(…) or SecurityHeaders.of({…})');
  const spec = headers._spec;
  const out = new Map<string, { name: string; value: string }>();
  const put = (name: string, value: string) => out.set(name.toLowerCase(), { name, value });
  if (spec.kind === 'recommended') {
    const o = spec.options;
    const frame = o.frameAncestors ?? FrameAncestors.NONE;
    if (!Object.values(FrameAncestors).includes(frame)) {
      fail(`responseHeaders: frameAncestors ${quote(frame)} is not one of FrameAncestors.NONE, FrameAncestors.SAME_ORIGIN, FrameAncestors.ANY`);
    }
    put('X-Content-Type-Options', 'nosniff');
    const referrer = o.referrerPolicy ?? 'strict-origin-when-cross-origin';
    if (!REFERRER_POLICIES.includes(referrer)) {
      fail(`responseHeaders: referrerPolicy ${quote(referrer)} is not a Referrer-Policy; give one of ${REFERRER_POLICIES.map((r) => `"${r}"`).join(', ')}`);
    }
    put('Referrer-Policy', referrer);
    if (frame !== FrameAncestors.ANY) put('X-Frame-Options', frame === FrameAncestors.NONE ? 'DENY' : 'SAMEORIGIN');
    if (o.contentSecurityPolicy !== undefined) {
      const csp = o.contentSecurityPolicy;
      const problem = headerValueProblem(csp);
      if (problem || csp === '') fail(`responseHeaders: contentSecurityPolicy ${quote(csp)} ${problem ?? 'is empty'}; give a policy such as "default-src 'self'"`);
      const hasFrameAncestors = csp.split(';').some((d) => d.trim().toLowerCase().startsWith('frame-ancestors'));
      put('Content-Security-Policy', hasFrameAncestors || frame === FrameAncestors.ANY
        ? csp : `${csp.replace(/[\s;]+$/, '')}; frame-ancestors '${frame}'`);
    }
    if (o.strictTransportSecurity !== undefined && !tls) {
      fail(`responseHeaders: strictTransportSecurity ${o.strictTransportSecurity.toHumanString()} without tls: the proxy serves plain HTTP, `
        + 'where a browser ignores Strict-Transport-Security (RFC 6797 section 8.1); give tls to withProxy, '
        + 'or let the component that terminates TLS (the ingress) send it and leave strictTransportSecurity unset');
    }
    if (o.includeSubDomains && !tls) {
      fail('responseHeaders: includeSubDomains is part of Strict-Transport-Security, which the proxy sends only with tls; give tls, or remove includeSubDomains');
    }
    if (tls) {
      const maxAge = o.strictTransportSecurity ?? DEFAULT_HSTS;
      const seconds = maxAge.toSeconds();
      if (!Number.isInteger(seconds) || seconds < 0) {
        fail(`responseHeaders: strictTransportSecurity ${maxAge.toHumanString()} must be a whole number of seconds, for example Duration.days(365)`);
      }
      put('Strict-Transport-Security', `max-age=${seconds}${o.includeSubDomains ? '; includeSubDomains' : ''}`);
    }
  }
  if (typeof spec.headers !== 'object' || spec.headers === null || Array.isArray(spec.headers)) {
    fail(`responseHeaders: the headers must be an object of header name to value, got ${quote(spec.headers)}`);
  }
  const seen = new Map<string, string>();
  for (const [name, value] of Object.entries(spec.headers)) {
    const nameProblem = headerNameProblem(name);
    if (nameProblem) fail(`responseHeaders: header name ${quote(name)} ${nameProblem}`);
    const lower = name.toLowerCase();
    if (seen.has(lower)) fail(`responseHeaders: headers ${quote(seen.get(lower))} and ${quote(name)} are one header (names ignore case); give it once`);
    seen.set(lower, name);
    if (FRAMING_HEADERS.has(lower) || lower === 'server') {
      fail(`responseHeaders: header ${quote(name)} is written by the proxy and the app themselves; remove it from the headers`);
    }
    const valueProblem = headerValueProblem(value);
    if (valueProblem) fail(`responseHeaders: the value of ${quote(name)}, ${quote(value)}, ${valueProblem}`);
    if (lower === 'strict-transport-security' && !tls) {
      fail(`responseHeaders: header ${quote(name)} without tls: the proxy serves plain HTTP, where a browser ignores Strict-Transport-Security `
        + '(RFC 6797 section 8.1); give tls to withProxy, or let the component that terminates TLS send it');
    }
    put(name, value as string);
  }
  return [...out.values()];
}

/** The request headers to remove, lower-case, without repeats, the auth proxy's identity headers first. */
export function resolveRemovedHeaders(fail: Fail, names: readonly string[] | undefined, behindAuthProxy: boolean): string[] {
  const out: string[] = behindAuthProxy ? AUTH_PROXY_IDENTITY_HEADERS.map((h) => h.toLowerCase()) : [];
  if (names === undefined) return out;
  if (!Array.isArray(names)) fail(`removeRequestHeaders must be an array of header names, got ${quote(names)}`);
  for (const name of names) {
    const problem = headerNameProblem(name);
    if (problem) fail(`removeRequestHeaders: ${quote(name)} ${problem}`);
    const lower = name.toLowerCase();
    if (FRAMING_HEADERS.has(lower)) fail(`removeRequestHeaders: ${quote(name)} frames the request; the proxy handles it itself: remove it from removeRequestHeaders`);
    if (HEADERS_THE_PROXY_SETS.has(lower)) {
      fail(`removeRequestHeaders: ${quote(name)} is set by the proxy itself for the app (see trustedProxyHops); remove it from removeRequestHeaders`);
    }
    if (!out.includes(lower)) out.push(lower);
  }
  return out;
}

/** Percent (0 < p ≤ 100, at most 4 decimals) as millionths, Envoy's FractionalPercent with denominator MILLION. */
function millionths(fail: Fail, option: string, percentage: unknown): number {
  const n = typeof percentage === 'number' ? Math.round(percentage * 10000) : NaN;
  if (typeof percentage !== 'number' || !(percentage > 0) || percentage > 100 || Math.abs(n - percentage * 10000) > 1e-6) {
    fail(`faults: ${option} ${quote(percentage)} must be a percentage above 0 and at most 100, with at most 4 decimals (0.0001 is one request in a million)`);
  }
  return n;
}

/** The faults, checked; undefined when none are injected. */
export function resolveFaults(fail: Fail, engine: ProxyEngine, faults: ProxyFaults | undefined): ProxyModel['faults'] {
  if (faults === undefined) return undefined;
  if (engine === ProxyEngine.NGINX) {
    fail('faults: nginx cannot inject faults faithfully: it has no delay directive (echo_sleep is a third-party module the image lacks), '
      + 'and a percentage of requests needs split_clients on a request key, which fails the same clients every time instead of a random share; '
      + 'use engine: ProxyEngine.ENVOY (its HTTP fault filter), or remove faults');
  }
  if (faults.enabled !== true && faults.enabled !== false) {
    fail(`faults: enabled ${quote(faults.enabled)} must be true (inject the faults) or false (check them, inject nothing)`);
  }
  if (faults.delay === undefined && faults.abort === undefined) {
    fail('faults: give delay ({ duration, percentage }), abort ({ status, percentage }), or both');
  }
  let delay: NonNullable<ProxyModel['faults']>['delay'];
  if (faults.delay !== undefined) {
    const d = faults.delay;
    const ms = d.duration instanceof Duration ? d.duration.toMilliseconds() : NaN;
    if (!Number.isInteger(ms) || ms < 1 || ms > 3_600_000) {
      fail(`faults: delay.duration ${d.duration instanceof Duration ? `${ms} ms` : quote(d.duration)} must be a Duration from 1 millisecond to 1 hour`);
    }
    delay = { millis: ms, millionths: millionths(fail, 'delay.percentage', d.percentage) };
  }
  let abort: NonNullable<ProxyModel['faults']>['abort'];
  if (faults.abort !== undefined) {
    const a = faults.abort;
    // FaultAbort.http_status: uint32 [gte: 200, lt: 600] (api/envoy/extensions/filters/http/fault/v3/fault.proto).
    if (!Number.isInteger(a.status) || a.status < 200 || a.status > 599) {
      fail(`faults: abort.status ${quote(a.status)} must be an HTTP status from 200 to 599 (Envoy's fault filter takes no other), for example 503`);
    }
    abort = { status: a.status, millionths: millionths(fail, 'abort.percentage', a.percentage) };
  }
  let header: string | undefined;
  if (faults.onlyWithHeader !== undefined) {
    const problem = headerNameProblem(faults.onlyWithHeader);
    if (problem) fail(`faults: onlyWithHeader ${quote(faults.onlyWithHeader)} ${problem}`);
    header = faults.onlyWithHeader.toLowerCase();
  }
  return faults.enabled ? { delay, abort, header } : undefined;
}

/** The rate limit, checked. */
export function resolveRateLimit(fail: Fail, limit: ProxyRateLimit | undefined): ProxyModel['rateLimit'] {
  if (limit === undefined) return undefined;
  const rate = limit.requestsPerSecond;
  if (!Number.isInteger(rate) || rate < 1 || rate > 1_000_000) {
    fail(`rateLimit: requestsPerSecond ${quote(rate)} must be a whole number from 1 to 1000000`);
  }
  const burst = limit.burst ?? rate;
  if (!Number.isInteger(burst) || burst < 1 || burst > 1_000_000) {
    fail(`rateLimit: burst ${quote(burst)} must be a whole number from 1 to 1000000 (the requests accepted at once); leave it unset for requestsPerSecond`);
  }
  return { requestsPerSecond: rate, burst };
}

/**
 * A path the proxy may block: `/`, then letters, digits, `-._~` and `/` (RFC 3986's unreserved
 * characters): their percent-encoded forms are decoded by nginx and refused by Envoy, so both
 * engines block every spelling of the path alike.
 */
const INTERNAL_PATH = /^\/[A-Za-z0-9\-._~/]*$/;

/**
 * The internal paths to block: the user's and those other programs registered, normalized
 * (`normalizeInternalPath`), without one inside another, in order.
 */
export function resolveInternalPaths(
  fail: Fail, userPaths: readonly string[] | undefined, registered: readonly string[], healthPath: string,
): string[] {
  if (userPaths !== undefined && !Array.isArray(userPaths)) fail(`internalPaths must be an array of paths, got ${quote(userPaths)}`);
  for (const path of userPaths ?? []) {
    if (typeof path !== 'string' || !INTERNAL_PATH.test(path)) {
      fail(`internalPaths: ${quote(path)} is not a plain absolute path; give one of letters, digits and "-._~/", starting with "/", `
        + 'without query or "%" (for example "/-/reload")');
    }
    if (normalizeInternalPath(path) === '/') fail(`internalPaths: ${quote(path)} would block every path of the app; give the internal endpoint's own path`);
    if (/(^|\/)\.\.?(\/|$)/.test(path) || path.includes('//')) {
      fail(`internalPaths: ${quote(path)} holds "." or ".." segments or "//", which the proxy normalizes away before matching; give the path as normalized`);
    }
  }
  const all = [...(userPaths ?? []), ...registered].map(normalizeInternalPath);
  const health = healthPath.toLowerCase().replace(/\/+$/, '');
  for (const path of all) {
    if (health === path || health.startsWith(`${path}/`)) {
      fail(`internalPaths: ${quote(path)} holds the proxy's own healthPath ${quote(healthPath)}, which must stay reachable for the probes; pass another healthPath`);
    }
  }
  const kept: string[] = [];
  for (const path of all) {
    if (kept.some((k) => path === k || path.startsWith(`${k}/`))) continue;
    for (let i = kept.length - 1; i >= 0; i--) if (kept[i].startsWith(`${path}/`)) kept.splice(i, 1);
    kept.push(path);
  }
  return kept;
}
