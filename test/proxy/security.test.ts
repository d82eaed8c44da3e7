/**
 * withProxy's security options through the public API: response headers
 * (SecurityHeaders), removed request headers, faults, the local rate limit and internal paths,
 * for both engines; every refusal its own `fails when …` with its whole message. Envoy's API
 * (test/real/envoy-api.test.ts) and the real nginx (test/real/nginx.test.ts) judge the output.
 */
import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { parse } from 'yaml';
import {
  ConfigReload, ConfigSource, FrameAncestors, ProxyEngine, ProxyOptions, SecurityHeaders, withAuthProxy, withConfigSync, withProxy,
} from '../../lib';
import { newApp, synth, synthFails } from '../util/synth';

const APP = { name: 'app', image: 'ghcr.io/acme/web:1.4.2', portNumber: 8080, securityContext: { user: 1000 } };
const ENGINES: Array<[string, ProxyEngine]> = [['Envoy', ProxyEngine.ENVOY], ['nginx', ProxyEngine.NGINX]];
const WHERE = 'Deployment "test/web", withProxy: ';

function proxied(options: ProxyOptions, tls = false) {
  const { app, chart } = newApp();
  const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
  const secret = tls ? kplus.Secret.fromSecretName(chart, 'tls', 'web-tls') : undefined;
  const proxy = withProxy(web, { ...options, ...(secret ? { tls: { secret } } : {}) });
  return { app, chart, web, proxy };
}

/** The Envoy virtual host and connection manager of a proxy's bootstrap. */
function envoyOf(config: string) {
  const hcm = parse(config).static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
  return { hcm, vhost: hcm.route_config.virtual_hosts[0] };
}

function authOptions(chart: kplus.Deployment['node']['scope'] & any) {
  return {
    issuerUrl: 'https://issuer.example.com',
    clientId: 'web',
    clientSecret: { secret: kplus.Secret.fromSecretName(chart, 'oidc', 'oidc'), key: 'client-secret' },
    cookieSecret: { secret: kplus.Secret.fromSecretName(chart, 'cookie', 'cookie'), key: 'cookie-secret' },
    emailDomains: ['example.com'],
  };
}

describe('responseHeaders', () => {
  test('SecurityHeaders.recommended() without TLS: nosniff, Referrer-Policy, X-Frame-Options DENY, no HSTS (Envoy)', () => {
    const { proxy } = proxied({ responseHeaders: SecurityHeaders.recommended() });
    expect(envoyOf(proxy.config).vhost.response_headers_to_add).toEqual([
      { header: { key: 'X-Content-Type-Options', value: 'nosniff' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
      { header: { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
      { header: { key: 'X-Frame-Options', value: 'DENY' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
    ]);
  });

  test('with TLS, Strict-Transport-Security of one year; a CSP gets the frame-ancestors of frameAncestors; additional headers replace by name', () => {
    const { proxy } = proxied({
      responseHeaders: SecurityHeaders.recommended({
        frameAncestors: FrameAncestors.SAME_ORIGIN,
        contentSecurityPolicy: "default-src 'self';",
        includeSubDomains: true,
        additionalHeaders: { 'referrer-policy': 'no-referrer', 'Permissions-Policy': 'camera=()' },
      }),
    }, true);
    const headers = Object.fromEntries(envoyOf(proxy.config).vhost.response_headers_to_add.map((h: any) => [h.header.key, h.header.value]));
    expect(headers).toEqual({
      'X-Content-Type-Options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'X-Frame-Options': 'SAMEORIGIN',
      'Content-Security-Policy': "default-src 'self'; frame-ancestors 'self'",
      'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
      'Permissions-Policy': 'camera=()',
    });
  });

  test('a CSP with its own frame-ancestors is kept as given; FrameAncestors.ANY sends no X-Frame-Options', () => {
    const { proxy } = proxied({
      responseHeaders: SecurityHeaders.recommended({ frameAncestors: FrameAncestors.ANY, contentSecurityPolicy: "frame-ancestors https://a.example; default-src 'self'" }),
    });
    const headers = Object.fromEntries(envoyOf(proxy.config).vhost.response_headers_to_add.map((h: any) => [h.header.key, h.header.value]));
    expect(headers['X-Frame-Options']).toBeUndefined();
    expect(headers['Content-Security-Policy']).toBe("frame-ancestors https://a.example; default-src 'self'");
  });

  test('nginx: proxy_hide_header and add_header … always at the server level, and no location has add_header of its own', () => {
    const { proxy } = proxied({ engine: ProxyEngine.NGINX, responseHeaders: SecurityHeaders.of({ 'X-Robots-Tag': 'noindex, "nofollow"' }) });
    expect(proxy.config).toContain('        proxy_hide_header "X-Robots-Tag";\n        add_header "X-Robots-Tag" "noindex, \\"nofollow\\"" always;\n');
    expect(proxy.config.match(/^ *add_header /gm)).toHaveLength(1);
  });

  test('nginx with gRPC hides the app\'s header with grpc_hide_header', () => {
    const { proxy } = proxied({ engine: ProxyEngine.NGINX, upstreamProtocol: 'gRPC' as any, responseHeaders: SecurityHeaders.recommended() });
    expect(proxy.config).toContain('grpc_hide_header "X-Frame-Options";');
    expect(proxy.config).not.toContain('proxy_hide_header');
  });
});

describe('removeRequestHeaders', () => {
  test.each(ENGINES)('removes the named headers, lower-cased, once each (%s)', (_n, engine) => {
    const { proxy } = proxied({ engine, removeRequestHeaders: ['X-Forwarded-User', 'x-forwarded-user', 'X-Auth-Request-Email'] });
    if (engine === ProxyEngine.ENVOY) {
      expect(envoyOf(proxy.config).vhost.request_headers_to_remove).toEqual(['x-forwarded-user', 'x-auth-request-email']);
    } else {
      expect(proxy.config).toContain('proxy_set_header "x-forwarded-user" "";\n            proxy_set_header "x-auth-request-email" "";');
    }
  });

  test.each(ENGINES)('in front of withAuthProxy, removes oauth2-proxy\'s identity headers without being asked (%s)', (_n, engine) => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    const auth = withAuthProxy(web, authOptions(chart));
    const proxy = withProxy(web, { engine, target: auth, removeRequestHeaders: ['X-Debug'] });
    synth(app);
    const identity = ['x-forwarded-user', 'x-forwarded-email', 'x-forwarded-groups', 'x-forwarded-preferred-username', 'x-forwarded-access-token',
      'x-auth-request-user', 'x-auth-request-email', 'x-auth-request-groups', 'x-auth-request-preferred-username', 'x-auth-request-access-token'];
    if (engine === ProxyEngine.ENVOY) {
      expect(envoyOf(proxy.config).vhost.request_headers_to_remove).toEqual([...identity, 'x-debug']);
    } else {
      for (const h of [...identity, 'x-debug']) expect(proxy.config).toContain(`proxy_set_header "${h}" "";`);
    }
  });

  test('without an auth proxy, nothing is removed unless asked', () => {
    const { proxy } = proxied({});
    expect(envoyOf(proxy.config).vhost.request_headers_to_remove).toBeUndefined();
  });
});

describe('faults (Envoy)', () => {
  test('delay and abort for a share of the requests carrying a header, ahead of the router; never on the health route', () => {
    const { proxy } = proxied({
      faults: { enabled: true, delay: { duration: Duration.millis(1500), percentage: 0.5 }, abort: { status: 503, percentage: 100 }, onlyWithHeader: 'X-Chaos' },
    });
    const { hcm, vhost } = envoyOf(proxy.config);
    expect(hcm.http_filters.map((f: any) => f.name)).toEqual(['envoy.filters.http.fault', 'envoy.filters.http.router']);
    expect(hcm.http_filters[0].typed_config).toEqual({
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault',
      'delay': { fixed_delay: '1.5s', percentage: { numerator: 5000, denominator: 'MILLION' } },
      'abort': { http_status: 503, percentage: { numerator: 1_000_000, denominator: 'MILLION' } },
      'headers': [{ name: 'x-chaos', present_match: true }],
    });
    expect(vhost.routes[0].typed_per_filter_config).toEqual({
      'envoy.filters.http.fault': { '@type': 'type.googleapis.com/envoy.config.route.v3.FilterConfig', 'disabled': true },
    });
  });

  test('enabled: false checks the faults and injects nothing', () => {
    const { proxy } = proxied({ faults: { enabled: false, abort: { status: 503, percentage: 10 } } });
    expect(proxy.config).not.toContain('fault');
  });
});

describe('rateLimit', () => {
  test('Envoy: one token bucket of `burst`, refilled at the rate in steps of 50 ms or more; 429; off on the health route; on upgrades too', () => {
    const { proxy } = proxied({ rateLimit: { requestsPerSecond: 100, burst: 20 } });
    const { hcm, vhost } = envoyOf(proxy.config);
    expect(hcm.http_filters[0].typed_config).toMatchObject({
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
      'status': { code: 'TooManyRequests' },
      'token_bucket': { max_tokens: 20, tokens_per_fill: 5, fill_interval: '0.05s' },
      'filter_enabled': { default_value: { numerator: 100, denominator: 'HUNDRED' } },
      'filter_enforced': { default_value: { numerator: 100, denominator: 'HUNDRED' } },
    });
    expect(hcm.upgrade_configs[0].filters.map((f: any) => f.name)).toEqual(['envoy.filters.http.local_ratelimit', 'envoy.filters.http.router']);
    expect(Object.keys(vhost.routes[0].typed_per_filter_config)).toEqual(['envoy.filters.http.local_ratelimit']);
  });

  test('Envoy: a slow rate refills one token at a time', () => {
    const { proxy } = proxied({ rateLimit: { requestsPerSecond: 3 } });
    expect(envoyOf(proxy.config).hcm.http_filters[0].typed_config.token_bucket).toEqual({ max_tokens: 3, tokens_per_fill: 1, fill_interval: '0.333333333s' });
  });

  test('nginx: limit_req_zone with one key, limit_req burst (the burst less the first request) nodelay, 429, only on the app\'s location', () => {
    const { proxy } = proxied({ engine: ProxyEngine.NGINX, rateLimit: { requestsPerSecond: 10, burst: 5 } });
    expect(proxy.config).toContain('limit_req_zone "proxy" zone=sidecar_rate_limit:1m rate=10r/s;');
    expect(proxy.config).toMatch(/location "\/" \{\n {12}# rateLimit[^\n]*\n {12}limit_req zone=sidecar_rate_limit burst=4 nodelay;\n {12}limit_req_status 429;/);
    expect(proxy.config.match(/limit_req /g)).toHaveLength(1);
  });

  test('nginx: a burst of 1 writes no burst', () => {
    const { proxy } = proxied({ engine: ProxyEngine.NGINX, rateLimit: { requestsPerSecond: 1, burst: 1 } });
    expect(proxy.config).toContain('limit_req zone=sidecar_rate_limit nodelay;');
  });
});

describe('internal paths (#16)', () => {
  test.each(ENGINES)('the paths withConfigSync registered on the app\'s port and the user\'s are answered 404 ahead of the catch-all (%s)', (_n, engine) => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    withConfigSync(web, { source: ConfigSource.configMaps({ label: 'web-config' }), mountPath: '/etc/web', reload: ConfigReload.httpPost({ port: 8080, path: '/-/reload?now=1' }) });
    const proxy = withProxy(web, { engine, internalPaths: ['/Admin/', '/admin/users'] });
    synth(app);
    expect(proxy.internalPaths).toEqual(['/admin', '/-/reload']);
    if (engine === ProxyEngine.ENVOY) {
      const { hcm, vhost } = envoyOf(proxy.config);
      expect(hcm.normalize_path).toBe(true);
      expect(hcm.merge_slashes).toBe(true);
      expect(hcm.path_with_escaped_slashes_action).toBe('UNESCAPE_AND_FORWARD');
      expect(vhost.routes.map((r: any) => [r.name, r.match])).toEqual([
        ['proxy-health', { path: '/proxy-healthz' }],
        ['encoded-unreserved', { safe_regex: { regex: '.*%(2[dDeE]|3[0-9]|[46][1-9a-fA-F]|[57][0-9aA]|5[fF]|7[eE]).*' } }],
        ['internal-1', { path_separated_prefix: '/admin', case_sensitive: false }],
        ['internal-2', { path_separated_prefix: '/-/reload', case_sensitive: false }],
        ['app', { prefix: '/' }],
      ]);
      expect(vhost.routes[1].direct_response.status).toBe(400);
      expect(vhost.routes[2].direct_response).toEqual({ status: 404, body: { inline_string: 'not found\n' } });
    } else {
      expect(proxy.config).toContain('location ~* "^/admin(/|$)" {');
      expect(proxy.config).toContain('location ~* "^/-/reload(/|$)" {');
      expect(proxy.config.indexOf('location ~*')).toBeLessThan(proxy.config.indexOf('location "/"'));
    }
  });

  test('Envoy refuses (400) a path with a percent-encoded letter, digit or "-._~", which nginx would decode before matching', () => {
    const { proxy } = proxied({ internalPaths: ['/admin'] });
    const route = envoyOf(proxy.config).vhost.routes.find((r: any) => r.name === 'encoded-unreserved');
    expect(route.direct_response.status).toBe(400);
    // RE2 and JavaScript agree on this regex (no flags, classes and alternation only); a route regex matches the whole path.
    const whole = new RegExp(`^(?:${route.match.safe_regex.regex})$`);
    for (const path of ['/-/%72eload', '/%41dmin', '/x/%7e', '/%2D/reload', '/%5f', '/%30']) expect({ path, refused: whole.test(path) }).toEqual({ path, refused: true });
    for (const path of ['/admin', '/a%20b', '/a%2Fb', '/%25', '/%C3%A9', '/%7B', '/%40']) expect({ path, refused: whole.test(path) }).toEqual({ path, refused: false });
  });

  test('regex characters of a path are escaped for nginx', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    withConfigSync(web, { source: ConfigSource.configMaps({ label: 'web-config' }), mountPath: '/etc/web', reload: ConfigReload.httpPost({ port: 8080, path: '/a.b+c(d)$e*' }) });
    const proxy = withProxy(web, { engine: ProxyEngine.NGINX, internalPaths: ['/x.y'] });
    synth(app);
    expect(proxy.config).toContain('location ~* "^/x\\\\.y(/|$)" {');
    expect(proxy.config).toContain('location ~* "^/a\\\\.b\\\\+c\\\\(d\\\\)\\\\$e\\\\*(/|$)" {');
  });

  test('without internal paths Envoy does not normalize paths (the app sees them as sent)', () => {
    const { proxy } = proxied({});
    expect(envoyOf(proxy.config).hcm.normalize_path).toBeUndefined();
  });

  test('withSecretsAgent-style and any program\'s paths on another port are not the proxy\'s concern', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [{ name: 'app', image: APP.image, ports: [{ number: 8080 }, { number: 9090 }], securityContext: { user: 1000 } }] });
    withConfigSync(web, { source: ConfigSource.configMaps({ label: 'web-config' }), mountPath: '/etc/web', reload: ConfigReload.httpPost({ port: 9090, path: '/-/reload' }) });
    const proxy = withProxy(web, { targetPort: 8080 });
    synth(app);
    expect(proxy.internalPaths).toEqual([]);
  });

  test('fails when withConfigSync registers its reload path after withProxy (at synth, with the fix)', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    withProxy(web, {});
    withConfigSync(web, { source: ConfigSource.configMaps({ label: 'web-config' }), mountPath: '/etc/web', reload: ConfigReload.httpPost({ port: 8080, path: '/-/reload' }) });
    expect(synthFails(app)).toBe('Validation failed with the following errors:\n  '
      + '[test/web] reload POST "/-/reload" on the app\'s port 8080 (container "k8s-sidecar", withConfigSync (k8s-sidecar)) is reachable from outside '
      + 'through container "proxy" (withProxy (Envoy)), which forwards every other path to that port; call withProxy after withConfigSync so that it blocks '
      + 'the paths registered before it, or add "/-/reload" to its internalPaths');
  });

  test('passes when withConfigSync comes after withProxy but the user named the path (or a folder above it)', () => {
    const { app, chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    withProxy(web, { internalPaths: ['/-'] });
    withConfigSync(web, { source: ConfigSource.configMaps({ label: 'web-config' }), mountPath: '/etc/web', reload: ConfigReload.httpPost({ port: 8080, path: '/-/Reload' }) });
    expect(() => synth(app)).not.toThrow();
  });
});

describe('bad input', () => {
  const cases: Array<[string, ProxyOptions, string, boolean?]> = [
    ['HSTS is asked for without TLS', { responseHeaders: SecurityHeaders.recommended({ strictTransportSecurity: Duration.days(30) }) },
      'responseHeaders: strictTransportSecurity 30 days without tls: the proxy serves plain HTTP, where a browser ignores Strict-Transport-Security (RFC 6797 section 8.1); '
      + 'give tls to withProxy, or let the component that terminates TLS (the ingress) send it and leave strictTransportSecurity unset'],
    ['includeSubDomains is given without TLS', { responseHeaders: SecurityHeaders.recommended({ includeSubDomains: true }) },
      'responseHeaders: includeSubDomains is part of Strict-Transport-Security, which the proxy sends only with tls; give tls, or remove includeSubDomains'],
    ['a Strict-Transport-Security header is given without TLS', { responseHeaders: SecurityHeaders.of({ 'strict-transport-security': 'max-age=60' }) },
      'responseHeaders: header "strict-transport-security" without tls: the proxy serves plain HTTP, where a browser ignores Strict-Transport-Security '
      + '(RFC 6797 section 8.1); give tls to withProxy, or let the component that terminates TLS send it'],
    ['a header name holds a space', { responseHeaders: SecurityHeaders.of({ 'X Frame': 'DENY' }) },
      'responseHeaders: header name "X Frame" is not an HTTP header name (RFC 9110: letters, digits and !#$%&\'*+-.^_`|~, no spaces or colons)'],
    ['a header name holds a colon', { responseHeaders: SecurityHeaders.of({ ':status': '200' }) },
      'responseHeaders: header name ":status" is not an HTTP header name (RFC 9110: letters, digits and !#$%&\'*+-.^_`|~, no spaces or colons)'],
    ['a header value holds a line break (header injection)', { responseHeaders: SecurityHeaders.of({ 'X-A': 'b\r\nSet-Cookie: x=1' }) },
      'responseHeaders: the value of "X-A", "b\\r\\nSet-Cookie: x=1", holds a line break or another control character, which would split or end the header'],
    ['a header value holds NUL', { responseHeaders: SecurityHeaders.of({ 'X-A': 'b\u0000' }) },
      'responseHeaders: the value of "X-A", "b\\u0000", holds a line break or another control character, which would split or end the header'],
    ['a header value is not ASCII', { responseHeaders: SecurityHeaders.of({ 'X-A': 'café' }) },
      'responseHeaders: the value of "X-A", "café", holds a character outside printable ASCII; percent-encode it'],
    ['a header value has surrounding spaces', { responseHeaders: SecurityHeaders.of({ 'X-A': ' b' }) },
      'responseHeaders: the value of "X-A", " b", begins or ends with white space, which HTTP strips'],
    ['a header is given twice in two cases', { responseHeaders: SecurityHeaders.of({ 'X-A': 'b', 'x-a': 'c' }) },
      'responseHeaders: headers "X-A" and "x-a" are one header (names ignore case); give it once'],
    ['a framing header is set', { responseHeaders: SecurityHeaders.of({ 'Content-Length': '0' }) },
      'responseHeaders: header "Content-Length" is written by the proxy and the app themselves; remove it from the headers'],
    ['the referrer policy is unknown', { responseHeaders: SecurityHeaders.recommended({ referrerPolicy: 'never' }) },
      'responseHeaders: referrerPolicy "never" is not a Referrer-Policy; give one of "no-referrer", "no-referrer-when-downgrade", "same-origin", "origin", '
      + '"strict-origin", "origin-when-cross-origin", "strict-origin-when-cross-origin", "unsafe-url"'],
    ['the CSP holds a line break', { responseHeaders: SecurityHeaders.recommended({ contentSecurityPolicy: "default-src 'self'\nscript-src x" }) },
      'responseHeaders: contentSecurityPolicy "default-src \'self\'\\nscript-src x" holds a line break or another control character, which would split or end the header; '
      + 'give a policy such as "default-src \'self\'"'],
    ['a removed header name is not a token', { removeRequestHeaders: ['X-Forwarded-User\n'] },
      'removeRequestHeaders: "X-Forwarded-User\\n" is not an HTTP header name (RFC 9110: letters, digits and !#$%&\'*+-.^_`|~, no spaces or colons)'],
    ['Host is removed', { removeRequestHeaders: ['Host'] },
      'removeRequestHeaders: "Host" frames the request; the proxy handles it itself: remove it from removeRequestHeaders'],
    ['X-Forwarded-For is removed', { removeRequestHeaders: ['X-Forwarded-For'] },
      'removeRequestHeaders: "X-Forwarded-For" is set by the proxy itself for the app (see trustedProxyHops); remove it from removeRequestHeaders'],
    ['faults are asked of nginx', { engine: ProxyEngine.NGINX, faults: { enabled: true, abort: { status: 503, percentage: 1 } } },
      'faults: nginx cannot inject faults faithfully: it has no delay directive (echo_sleep is a third-party module the image lacks), and a percentage of requests '
      + 'needs split_clients on a request key, which fails the same clients every time instead of a random share; use engine: ProxyEngine.ENVOY (its HTTP fault filter), or remove faults'],
    ['faults have neither delay nor abort', { faults: { enabled: true } },
      'faults: give delay ({ duration, percentage }), abort ({ status, percentage }), or both'],
    ['a fault percentage is 0', { faults: { enabled: true, abort: { status: 503, percentage: 0 } } },
      'faults: abort.percentage 0 must be a percentage above 0 and at most 100, with at most 4 decimals (0.0001 is one request in a million)'],
    ['a fault percentage is over 100', { faults: { enabled: true, delay: { duration: Duration.seconds(1), percentage: 101 } } },
      'faults: delay.percentage 101 must be a percentage above 0 and at most 100, with at most 4 decimals (0.0001 is one request in a million)'],
    ['a fault percentage has 5 decimals', { faults: { enabled: true, delay: { duration: Duration.seconds(1), percentage: 0.00001 } } },
      'faults: delay.percentage 0.00001 must be a percentage above 0 and at most 100, with at most 4 decimals (0.0001 is one request in a million)'],
    ['the abort status is 600', { faults: { enabled: true, abort: { status: 600, percentage: 1 } } },
      'faults: abort.status 600 must be an HTTP status from 200 to 599 (Envoy\'s fault filter takes no other), for example 503'],
    ['the abort status is 199', { faults: { enabled: true, abort: { status: 199, percentage: 1 } } },
      'faults: abort.status 199 must be an HTTP status from 200 to 599 (Envoy\'s fault filter takes no other), for example 503'],
    ['the delay is 0', { faults: { enabled: true, delay: { duration: Duration.millis(0), percentage: 1 } } },
      'faults: delay.duration 0 ms must be a Duration from 1 millisecond to 1 hour'],
    ['the fault header is not a token', { faults: { enabled: true, abort: { status: 503, percentage: 1 }, onlyWithHeader: 'x chaos' } },
      'faults: onlyWithHeader "x chaos" is not an HTTP header name (RFC 9110: letters, digits and !#$%&\'*+-.^_`|~, no spaces or colons)'],
    ['the rate is 0', { rateLimit: { requestsPerSecond: 0 } }, 'rateLimit: requestsPerSecond 0 must be a whole number from 1 to 1000000'],
    ['the rate is fractional', { rateLimit: { requestsPerSecond: 0.5 } }, 'rateLimit: requestsPerSecond 0.5 must be a whole number from 1 to 1000000'],
    ['the burst is 0', { rateLimit: { requestsPerSecond: 5, burst: 0 } },
      'rateLimit: burst 0 must be a whole number from 1 to 1000000 (the requests accepted at once); leave it unset for requestsPerSecond'],
    ['an internal path is relative', { internalPaths: ['admin'] },
      'internalPaths: "admin" is not a plain absolute path; give one of letters, digits and "-._~/", starting with "/", without query or "%" (for example "/-/reload")'],
    ['an internal path holds a query', { internalPaths: ['/admin?x=1'] },
      'internalPaths: "/admin?x=1" is not a plain absolute path; give one of letters, digits and "-._~/", starting with "/", without query or "%" (for example "/-/reload")'],
    ['an internal path holds a control character', { internalPaths: ['/admin\u0007'] },
      'internalPaths: "/admin\\u0007" is not a plain absolute path; give one of letters, digits and "-._~/", starting with "/", without query or "%" (for example "/-/reload")'],
    ['an internal path is "/"', { internalPaths: ['/'] }, 'internalPaths: "/" would block every path of the app; give the internal endpoint\'s own path'],
    ['an internal path holds ".."', { internalPaths: ['/a/../admin'] },
      'internalPaths: "/a/../admin" holds "." or ".." segments or "//", which the proxy normalizes away before matching; give the path as normalized'],
    ['an internal path holds the health path', { internalPaths: ['/proxy-healthz'] },
      'internalPaths: "/proxy-healthz" holds the proxy\'s own healthPath "/proxy-healthz", which must stay reachable for the probes; pass another healthPath'],
  ];
  test.each(cases)('fails when %s', (_name, options, message) => {
    const { chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    expect(() => withProxy(web, options)).toThrow(WHERE + message);
    // A refused call leaves the app unchanged.
    expect(web.initContainers).toHaveLength(0);
  });

  test('fails when a registered reload path holds the health path', () => {
    const { chart } = newApp();
    const web = new kplus.Deployment(chart, 'web', { containers: [APP] });
    withConfigSync(web, { source: ConfigSource.configMaps({ label: 'web-config' }), mountPath: '/etc/web', reload: ConfigReload.httpPost({ port: 8080, path: '/health' }) });
    expect(() => withProxy(web, { healthPath: '/health/proxy' })).toThrow(
      `${WHERE}internalPaths: "/health" holds the proxy's own healthPath "/health/proxy", which must stay reachable for the probes; pass another healthPath`);
  });
});
