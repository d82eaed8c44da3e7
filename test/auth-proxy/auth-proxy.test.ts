/**
 * withAuthProxy through the public API: every workload kind, degenerate pods, the composition
 * with withProxy, oauth2-proxy's flags against its documented options table, and every refusal
 * at the call and at synthesis.
 */
import { App, Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  AuthProxyOptions, CookieSameSite, OAUTH2_PROXY_IMAGE, ProxyEngine, setDefaultSidecarMode, SidecarMode, SkipAuthRoute, UpstreamProtocol,
  withAuthProxy, withLogShipper, withProxy, withSidecar,
} from '../../lib';
import { allContainers, podSpecOf, restrictedProblems } from '../util/restricted';
import { find, newApp, synth, synthFails } from '../util/synth';
import { WORKLOADS } from '../workloads';

/**
 * Every flag of oauth2-proxy v7.15.6 with its type, as its options table lists them
 * (docs/docs/configuration/overview.md of oauth2-proxy/oauth2-proxy at v7.15.6). A flag
 * withAuthProxy renders that is not here is one oauth2-proxy would refuse ("unknown flag").
 */
const DOCUMENTED_FLAGS: Record<string, string> = {
  'acr-values': 'string',
  'allow-query-semicolons': 'bool',
  'allowed-group': 'string | list',
  'api-route': 'string | list',
  'approval-prompt': 'string',
  'auth-logging': 'bool',
  'auth-logging-format': 'string',
  'auth-request-response-mode': 'string',
  'authenticated-emails-file': 'string',
  'backend-logout-url': 'string',
  'banner': 'string',
  'basic-auth-password': 'string',
  'bearer-token-login-fallback': 'bool',
  'client-id': 'string',
  'client-secret': 'string',
  'client-secret-file': 'string',
  'code-challenge-method': 'string',
  'cookie-csrf-expire': 'duration',
  'cookie-csrf-per-request': 'bool',
  'cookie-csrf-per-request-limit': 'int',
  'cookie-csrf-samesite': 'string',
  'cookie-domain': 'string | list',
  'cookie-expire': 'duration',
  'cookie-httponly': 'bool',
  'cookie-name': 'string',
  'cookie-path': 'string',
  'cookie-refresh': 'duration',
  'cookie-samesite': 'string',
  'cookie-secret': 'string',
  'cookie-secret-file': 'string',
  'cookie-secure': 'bool',
  'custom-sign-in-logo': 'string',
  'custom-templates-dir': 'string',
  'disable-keep-alives': 'bool',
  'display-htpasswd-form': 'bool',
  'email-domain': 'string | list',
  'encode-state': 'bool',
  'errors-to-info-log': 'bool',
  'exclude-logging-path': 'string',
  'extra-jwt-issuers': 'string',
  'flush-interval': 'duration',
  'footer': 'string',
  'force-https': 'bool',
  'force-json-errors': 'bool',
  'gcp-healthchecks': 'bool',
  'htpasswd-file': 'string',
  'htpasswd-user-group': 'string | list',
  'http-address': 'string',
  'https-address': 'string',
  'insecure-oidc-allow-unverified-email': 'bool',
  'insecure-oidc-skip-issuer-verification': 'bool',
  'insecure-oidc-skip-nonce': 'bool',
  'jwt-key': 'string',
  'jwt-key-file': 'string',
  'logging-compress': 'bool',
  'logging-filename': 'string',
  'logging-local-time': 'bool',
  'logging-max-age': 'int',
  'logging-max-backups': 'int',
  'logging-max-size': 'int',
  'login-url': 'string',
  'metrics-address': 'string',
  'metrics-secure-address': 'string',
  'metrics-tls-cert-file': 'string',
  'metrics-tls-key-file': 'string',
  'oidc-audience-claim': 'string',
  'oidc-email-claim': 'string',
  'oidc-enabled-signing-alg': 'string | list',
  'oidc-extra-audience': 'string | list',
  'oidc-groups-claim': 'string',
  'oidc-issuer-url': 'string',
  'oidc-jwks-url': 'string',
  'oidc-public-key-file': 'string',
  'pass-access-token': 'bool',
  'pass-authorization-header': 'bool',
  'pass-basic-auth': 'bool',
  'pass-host-header': 'bool',
  'pass-user-headers': 'bool',
  'ping-path': 'string',
  'ping-user-agent': 'string',
  'prefer-email-to-user': 'bool',
  'profile-url': 'string',
  'prompt': 'string',
  'provider': 'string',
  'provider-ca-file': 'string | list',
  'provider-display-name': 'string',
  'proxy-prefix': 'string',
  'proxy-websockets': 'bool',
  'pubjwk-url': 'string',
  'ready-path': 'string',
  'real-client-ip-header': 'string',
  'redeem-url': 'string',
  'redirect-url': 'string',
  'redis-ca-path': 'string',
  'redis-cluster-connection-urls': 'string | list',
  'redis-connection-idle-timeout': 'int',
  'redis-connection-url': 'string',
  'redis-insecure-skip-tls-verify': 'bool',
  'redis-password': 'string',
  'redis-sentinel-connection-urls': 'string | list',
  'redis-sentinel-master-name': 'string',
  'redis-sentinel-password': 'string',
  'redis-use-cluster': 'bool',
  'redis-use-sentinel': 'bool',
  'relative-redirect-url': 'bool',
  'request-id-header': 'string',
  'request-logging': 'bool',
  'request-logging-format': 'string',
  'reverse-proxy': 'bool',
  'scope': 'string',
  'session-cookie-minimal': 'bool',
  'session-store-type': 'string',
  'set-authorization-header': 'bool',
  'set-basic-auth': 'bool',
  'set-xauthrequest': 'bool',
  'show-debug-on-error': 'bool',
  'signature-key': 'string',
  'silence-ping-logging': 'bool',
  'skip-auth-preflight': 'bool',
  'skip-auth-regex': 'string | list',
  'skip-auth-route': 'string | list',
  'skip-auth-strip-headers': 'bool',
  'skip-claims-from-profile-url': 'bool',
  'skip-jwt-bearer-tokens': 'bool',
  'skip-oidc-discovery': 'bool',
  'skip-provider-button': 'bool',
  'ssl-insecure-skip-verify': 'bool',
  'ssl-upstream-insecure-skip-verify': 'bool',
  'standard-logging': 'bool',
  'standard-logging-format': 'string',
  'tls-cert-file': 'string',
  'tls-cipher-suite': 'string | list',
  'tls-key-file': 'string',
  'tls-min-version': 'string',
  'trusted-ip': 'string | list',
  'trusted-proxy-ip': 'string | list',
  'upstream': 'string | list',
  'upstream-timeout': 'duration',
  'use-system-trust-store': 'bool',
  'validate-url': 'string',
  'whitelist-domain': 'string | list',
};

/** Flags that would put a secret on the command line: never rendered. */
const NEVER = ['client-secret', 'cookie-secret', 'basic-auth-password', 'redis-password', 'jwt-key', 'ssl-insecure-skip-verify', 'trusted-ip'];

function checkFlags(args: string[]): void {
  for (const arg of args) {
    const match = /^--([a-z0-9-]+)=(.*)$/s.exec(arg);
    expect(match).not.toBeNull();
    const [, name, value] = match!;
    expect(NEVER).not.toContain(name);
    expect(Object.keys(DOCUMENTED_FLAGS)).toContain(name);
    if (DOCUMENTED_FLAGS[name] === 'bool') expect(['true', 'false']).toContain(value);
    if (DOCUMENTED_FLAGS[name] === 'duration') expect(value).toMatch(/^[0-9]+(ms|s)$/);
  }
}

const APP = {
  name: 'app',
  image: 'ghcr.io/acme/web:1.4.2',
  ports: [{ number: 8080, name: 'http' }],
  securityContext: { user: 1000 },
  readiness: kplus.Probe.fromHttpGet('/healthz', { port: 8080 }),
};

function secrets(chart: Chart) {
  const oidc = (chart.node.tryFindChild('oidc') as kplus.ISecret | undefined) ?? kplus.Secret.fromSecretName(chart, 'oidc', 'web-oidc');
  return { clientSecret: { secret: oidc, key: 'client-secret' }, cookieSecret: { secret: oidc, key: 'cookie-secret' } };
}

function options(chart: Chart, more: Partial<AuthProxyOptions> = {}): AuthProxyOptions {
  return { issuerUrl: 'https://login.example.com/realms/acme', clientId: 'web', ...secrets(chart), emailDomains: ['example.com'], ...more };
}

const authOf = (manifest: any) => allContainers(podSpecOf(manifest)).find((c: any) => c.name === 'auth-proxy');
const flag = (args: string[], name: string) => args.filter((a) => a.startsWith(`--${name}=`)).map((a) => a.slice(name.length + 3));

function web(more: Partial<kplus.ContainerProps> = {}) {
  const { app, chart } = newApp();
  return { app, chart, web: new kplus.Deployment(chart, 'web', { containers: [{ ...APP, ...more }] }) };
}

describe.each(WORKLOADS)('on a %s', (kind, make) => {
  test('attaches oauth2-proxy that passes the restricted profile, with documented flags only, exposed through a Service', () => {
    const { app, chart } = newApp();
    const workload = make(chart, 'web', [APP]);
    const auth = withAuthProxy(workload, options(chart));
    auth.exposeViaService({ name: 'entry' });
    const { manifests } = synth(app);
    const manifest = manifests.find((m) => m.kind === kind)!;
    const spec = podSpecOf(manifest);
    const container = authOf(manifest);
    expect(spec.initContainers.map((c: any) => c.name)).toEqual(['auth-proxy']);
    expect(container.restartPolicy).toBe('Always');
    expect(container.image).toBe(`quay.io/oauth2-proxy/oauth2-proxy:${OAUTH2_PROXY_IMAGE.tag}`);
    expect(container.securityContext).toMatchObject({ runAsUser: 65532, runAsGroup: 65532, readOnlyRootFilesystem: true });
    expect(container.ports).toEqual([{ containerPort: 4180, name: 'auth-http', protocol: 'TCP' }]);
    expect(restrictedProblems(spec, ['auth-proxy'])).toEqual([]);
    checkFlags(container.args);
    expect(find(manifests, 'Service', 'entry').spec.ports).toEqual([{ name: 'http', port: 4180, protocol: 'TCP', targetPort: 'auth-http' }]);
  });
});

describe('withAuthProxy', () => {
  test('the defaults: upstream on loopback, OIDC with PKCE, secrets as files, secure cookie, user headers, probes on its own paths', () => {
    const { app, chart, web: w } = web();
    const auth = withAuthProxy(w, options(chart));
    const { manifests } = synth(app);
    const container = authOf(find(manifests, 'Deployment'));
    const args: string[] = container.args;
    expect(flag(args, 'http-address')).toEqual(['0.0.0.0:4180']);
    expect(flag(args, 'upstream')).toEqual(['http://127.0.0.1:8080/']);
    expect(flag(args, 'provider')).toEqual(['oidc']);
    expect(flag(args, 'oidc-issuer-url')).toEqual(['https://login.example.com/realms/acme']);
    expect(flag(args, 'code-challenge-method')).toEqual(['S256']);
    expect(flag(args, 'client-secret-file')).toEqual(['/etc/oauth2-proxy/client-secret/client-secret']);
    expect(flag(args, 'cookie-secret-file')).toEqual(['/etc/oauth2-proxy/cookie-secret/cookie-secret']);
    expect(flag(args, 'cookie-secure')).toEqual(['true']);
    expect(flag(args, 'cookie-httponly')).toEqual(['true']);
    expect(flag(args, 'cookie-samesite')).toEqual(['lax']);
    expect(flag(args, 'cookie-name')).toEqual(['__Host-oauth2-proxy']);
    expect(flag(args, 'pass-user-headers')).toEqual(['true']);
    expect(flag(args, 'pass-basic-auth')).toEqual(['false']);
    expect(flag(args, 'pass-access-token')).toEqual(['false']);
    expect(flag(args, 'reverse-proxy')).toEqual(['true']);
    expect(flag(args, 'trusted-proxy-ip')).toEqual(['127.0.0.1', '::1']);
    expect(flag(args, 'skip-auth-route')).toEqual(['GET=^/healthz$']); // a "$" not before "(" or "$" reaches oauth2-proxy as it is
    expect(auth.skipAuthRoutes).toEqual(['GET=^/healthz$']);
    expect(args.some((a) => /client-secret=|cookie-secret=/.test(a))).toBe(false);
    expect(container.env).toBeUndefined();
    expect(container.readinessProbe.httpGet).toEqual({ path: '/oauth2/ready', port: 4180, scheme: 'HTTP' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/oauth2/ping', port: 4180, scheme: 'HTTP' });
    const spec = podSpecOf(find(manifests, 'Deployment'));
    expect(spec.volumes).toEqual([
      { name: 'auth-proxy-client-secret', secret: { secretName: 'web-oidc', items: [{ key: 'client-secret', path: 'client-secret' }] } },
      { name: 'auth-proxy-cookie-secret', secret: { secretName: 'web-oidc', items: [{ key: 'cookie-secret', path: 'cookie-secret' }] } },
    ]);
    // Only the auth proxy mounts them; no ConfigMap holds anything.
    expect(spec.containers[0].volumeMounts ?? []).toEqual([]);
    expect(manifests.filter((m) => m.kind === 'ConfigMap')).toEqual([]);
  });

  test('the options land in their flags; list values holding "," or \'"\' are quoted for oauth2-proxy\'s CSV lists', () => {
    const { app, chart, web: w } = web();
    withAuthProxy(w, options(chart, {
      emailDomains: ['example.com', '.example.org'],
      allowedGroups: ['CN=admins,OU=groups', 'staff "core"'],
      scopes: ['openid', 'email', 'groups'],
      redirectUrl: 'https://app.example.com/oauth2/callback',
      cookieDomains: ['.example.com'],
      cookieSameSite: CookieSameSite.STRICT,
      cookieExpire: Duration.hours(12),
      cookieRefresh: Duration.minutes(30),
      upstreamTimeout: Duration.millis(1500),
      passAccessToken: true,
      passIdToken: true,
      passUserHeaders: false,
      skipAuthRoutes: [SkipAuthRoute.regex('^/x{1,2}$', { methods: ['GET', 'HEAD'] })],
      port: 4181,
      portName: 'sso',
    }));
    const { manifests } = synth(app);
    const args: string[] = authOf(find(manifests, 'Deployment')).args;
    checkFlags(args);
    expect(flag(args, 'email-domain')).toEqual(['example.com', '.example.org']);
    expect(flag(args, 'allowed-group')).toEqual(['"CN=admins,OU=groups"', '"staff ""core"""']);
    expect(flag(args, 'scope')).toEqual(['openid email groups']);
    expect(flag(args, 'redirect-url')).toEqual(['https://app.example.com/oauth2/callback']);
    expect(flag(args, 'cookie-domain')).toEqual(['.example.com']);
    expect(flag(args, 'cookie-name')).toEqual(['__Secure-oauth2-proxy']);
    expect(flag(args, 'cookie-samesite')).toEqual(['strict']);
    expect(flag(args, 'cookie-expire')).toEqual(['43200s']);
    expect(flag(args, 'cookie-refresh')).toEqual(['1800s']);
    expect(flag(args, 'upstream-timeout')).toEqual(['1500ms']);
    expect(flag(args, 'pass-access-token')).toEqual(['true']);
    expect(flag(args, 'pass-authorization-header')).toEqual(['true']);
    expect(flag(args, 'pass-user-headers')).toEqual(['false']);
    expect(flag(args, 'skip-auth-route')).toEqual(['"GET=^/x{1,2}$"', '"HEAD=^/x{1,2}$"', 'GET=^/healthz$']);
    expect(flag(args, 'http-address')).toEqual(['0.0.0.0:4181']);
  });

  test('groups only: any email domain, the groups decide; an insecure cookie drops the prefix', () => {
    const { app, chart, web: w } = web();
    withAuthProxy(w, options(chart, { emailDomains: undefined, allowedGroups: ['staff'], cookieSecure: false }));
    const args: string[] = authOf(find(synth(app).manifests, 'Deployment')).args;
    expect(flag(args, 'email-domain')).toEqual(['*']);
    expect(flag(args, 'cookie-name')).toEqual(['_oauth2_proxy']);
    expect(flag(args, 'cookie-secure')).toEqual(['false']);
  });

  test('probe paths: the app\'s HTTP probes on the target port by number or name, without query; never "/", never another port\'s; off on request', () => {
    const { chart } = newApp();
    const w = new kplus.Deployment(chart, 'web', {
      containers: [{
        ...APP,
        ports: [{ number: 8080, name: 'http' }, { number: 9090, name: 'admin' }],
        readiness: kplus.Probe.fromHttpGet('/ready?full=1', { port: 8080 }),
        liveness: kplus.Probe.fromHttpGet('/live', { port: 9090 }),
        startup: kplus.Probe.fromHttpGet('/', { port: 8080 }),
      }],
    });
    expect(withAuthProxy(w, options(chart, { targetPort: 8080 })).skipAuthRoutes).toEqual(['GET=^/ready$']);
    const other = new kplus.Deployment(chart, 'other', { containers: [APP] });
    expect(withAuthProxy(other, options(chart, { skipAuthForProbes: false })).skipAuthRoutes).toEqual([]);
  });

  test('skip routes: exact paths and prefixes escaped, "=" and "!" as hex, methods one flag each', () => {
    const { chart, web: w } = web();
    const auth = withAuthProxy(w, options(chart, {
      skipAuthForProbes: false,
      skipAuthRoutes: [SkipAuthRoute.path('/v1.0/a=b!'), SkipAuthRoute.prefix('/static/', { methods: ['GET', 'HEAD'] }), SkipAuthRoute.regex('^/api/(status|version)$')],
    }));
    expect(auth.skipAuthRoutes).toEqual(['^/v1\\.0/a\\x3Db\\x21$', 'GET=^/static/', 'HEAD=^/static/', '^/api/(status|version)$']);
  });

  test('classic mode: a regular container, kept out of the Deployment\'s own Service; follows setDefaultSidecarMode', () => {
    const { app, chart, web: w } = web();
    withAuthProxy(w, options(chart, { mode: SidecarMode.CLASSIC }));
    w.exposeViaService({ name: 'direct' });
    const { manifests } = synth(app);
    expect(podSpecOf(find(manifests, 'Deployment')).containers.map((c: any) => c.name)).toEqual(['app', 'auth-proxy']);
    expect(find(manifests, 'Service', 'direct').spec.ports.map((p: any) => p.port)).toEqual([8080]);

    const classic = new App({ outdir: newApp().outdir });
    setDefaultSidecarMode(classic, SidecarMode.CLASSIC);
    const c2 = new Chart(classic, 'test');
    expect(withAuthProxy(new kplus.Deployment(c2, 'web', { containers: [APP] }), options(c2)).mode).toBe(SidecarMode.CLASSIC);
  });

  test('a bare Pod with two app containers: the one whose port is given', () => {
    const { app, chart } = newApp();
    const pod = new kplus.Pod(chart, 'web', { containers: [APP, { name: 'admin', image: 'ghcr.io/acme/admin:1.0.0', portNumber: 9000, securityContext: { user: 1000 } }] });
    withAuthProxy(pod, options(chart, { targetPort: 9000 }));
    expect(flag(authOf(find(synth(app).manifests, 'Pod')).args, 'upstream')).toEqual(['http://127.0.0.1:9000/']);
  });

  test('beside withSidecar and withLogShipper', () => {
    const { app, chart, web: w } = web();
    withAuthProxy(w, options(chart));
    withSidecar(w, { name: 'exporter', image: 'quay.io/prometheus/statsd-exporter:v0.28.0', ports: [{ number: 9102, name: 'metrics' }] });
    withLogShipper(w, { logPath: '/var/log/app' });
    const spec = podSpecOf(find(synth(app).manifests, 'Deployment'));
    const names = spec.initContainers.map((c: any) => c.name);
    expect(names).toEqual(expect.arrayContaining(['auth-proxy', 'exporter']));
    expect(restrictedProblems(spec, names)).toEqual([]);
  });

  test('retargetService: a Service the user already has now reaches the auth proxy', () => {
    const { app, chart, web: w } = web();
    const existing = w.exposeViaService({ name: 'web', ports: [{ port: 80, targetPort: 8080, name: 'http' }] });
    withAuthProxy(w, options(chart)).retargetService(existing);
    expect(find(synth(app).manifests, 'Service', 'web').spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'auth-http' }]);
  });
});

describe('TLS at withProxy, then withAuthProxy, then the app', () => {
  test.each([['Envoy', ProxyEngine.ENVOY], ['nginx', ProxyEngine.NGINX]])('%s forwards to the auth proxy, which forwards to the app; the Service reaches the outermost', (_n, engine) => {
    const { app, chart, web: w } = web();
    const tls = kplus.Secret.fromSecretName(chart, 'tls', 'web-tls');
    const auth = withAuthProxy(w, options(chart));
    auth.exposeViaService({ name: 'early' }); // made before withProxy: taken over
    const proxy = withProxy(w, { target: auth, tls: { secret: tls }, engine });
    proxy.exposeViaService({ name: 'web', port: 443 });
    expect(proxy.targetPort).toBe(4180);
    expect(proxy.config).toMatch(/127\.0\.0\.1[\s\S]{0,80}4180|127\.0\.0\.1:4180/);
    expect(proxy.config).not.toMatch(/8080/);
    const { manifests } = synth(app);
    const spec = podSpecOf(find(manifests, 'Deployment'));
    expect(spec.initContainers.map((c: any) => c.name)).toEqual(['auth-proxy', 'proxy']);
    expect(flag(authOf(find(manifests, 'Deployment')).args, 'upstream')).toEqual(['http://127.0.0.1:8080/']);
    expect(find(manifests, 'Service', 'web').spec.ports).toEqual([{ name: 'https', port: 443, protocol: 'TCP', targetPort: 'proxy-https' }]);
    expect(find(manifests, 'Service', 'early').spec.ports).toEqual([{ name: 'http', port: 4180, protocol: 'TCP', targetPort: 'proxy-https' }]);
    expect(restrictedProblems(spec, ['auth-proxy', 'proxy'])).toEqual([]);
  });

  test('proxy.retargetService takes a Service on the app\'s port or on the auth proxy\'s', () => {
    const { app, chart, web: w } = web();
    const direct = w.exposeViaService({ name: 'direct', ports: [{ port: 80, targetPort: 8080 }] });
    const auth = withAuthProxy(w, options(chart));
    const viaAuth = new kplus.Service(chart, 'via-auth', { selector: w, ports: [{ port: 80, targetPort: 8080 }] });
    auth.retargetService(viaAuth);
    const proxy = withProxy(w, { target: auth, port: 8443 });
    proxy.retargetService(direct);
    const { manifests } = synth(app);
    expect(find(manifests, 'Service', 'direct').spec.ports[0].targetPort).toBe('proxy-http');
    expect(find(manifests, 'Service', 'via-auth').spec.ports[0].targetPort).toBe('proxy-http');
  });

  test('the port ledger sees every port of the chain: a sidecar added later on the auth proxy\'s port fails at synth', () => {
    const { app, chart, web: w } = web();
    const auth = withAuthProxy(w, options(chart));
    withProxy(w, { target: auth });
    withSidecar(w, { name: 'exporter', image: 'quay.io/prometheus/statsd-exporter:v0.28.0', ports: [{ number: 4180, name: 'metrics' }] });
    expect(synthFails(app)).toMatch(/4180\/TCP[\s\S]*"auth-proxy"[\s\S]*"exporter"|4180\/TCP[\s\S]*"exporter"[\s\S]*"auth-proxy"/);
  });
});

describe('bad input', () => {
  const call = (more: Partial<AuthProxyOptions>, container: Partial<kplus.ContainerProps> = {}) => {
    const { chart, web: w } = web(container);
    return () => withAuthProxy(w, options(chart, more));
  };
  const at = 'Deployment "test/web", withAuthProxy: ';

  test('fails when the client secret is a plain string', () => {
    expect(call({ clientSecret: 's3cr3t' as any })).toThrow(`${at}option clientSecret must be an AuthProxySecretKey { secret, key } (got a plain string); `
      + 'a credential written in the manifest is readable by anyone who can read the workload: put it in a Secret and pass { secret, key }');
  });

  test('fails when the cookie secret is not { secret, key }', () => {
    expect(call({ cookieSecret: { key: 'x' } as any })).toThrow(`${at}option cookieSecret.secret is missing; give an ISecret`);
  });

  test('fails when a Secret key is not a key', () => {
    const { chart, web: w } = web();
    const s = kplus.Secret.fromSecretName(chart, 's', 's');
    expect(() => withAuthProxy(w, options(chart, { clientSecret: { secret: s, key: 'a/b' } }))).toThrow(
      `${at}clientSecret.key "a/b" is not a Secret key; a key is 1 to 253 letters, digits, "-", "_" or "."`);
  });

  test('fails when the issuer is http:// on another host', () => {
    expect(call({ issuerUrl: 'http://login.example.com' })).toThrow(`${at}issuerUrl "http://login.example.com" is http://: tokens and codes would cross the network in clear text; `
      + 'give the https:// URL (http:// is accepted only for a loopback host: localhost, 127.0.0.1, [::1])');
  });

  test('fails when the issuer is not a URL, or has a query', () => {
    expect(call({ issuerUrl: 'login.example.com' })).toThrow(`${at}issuerUrl "login.example.com" is not an absolute URL; give one like "https://login.example.com"`);
    expect(call({ issuerUrl: 'https://login.example.com/?a=1' })).toThrow(`${at}issuerUrl "https://login.example.com/?a=1" has a query or fragment; remove it`);
  });

  test('fails when the redirect URL is not the callback path', () => {
    expect(call({ redirectUrl: 'https://app.example.com/callback' })).toThrow(`${at}redirectUrl "https://app.example.com/callback" ends in "/callback", `
      + 'but oauth2-proxy answers the issuer\'s redirect at "/oauth2/callback"; give "https://app.example.com/oauth2/callback" (and register it with the issuer)');
  });

  test('fails when neither emailDomains nor allowedGroups is given', () => {
    expect(call({ emailDomains: undefined })).toThrow(`${at}neither emailDomains nor allowedGroups is given, so anyone with an account at the issuer could sign in; `
      + 'pass emailDomains (["example.com"], or ["*"] for every account) and/or allowedGroups');
  });

  test('fails when an email domain is not a domain', () => {
    expect(call({ emailDomains: ['@example.com'] })).toThrow(`${at}emailDomains entry "@example.com" is not a domain; give a lowercase domain like "example.com" `
      + '(".example.com" or "*.example.com" for its subdomains too), or "*" for any');
  });

  test('fails when the client ID is empty', () => {
    expect(call({ clientId: ' ' })).toThrow(`${at}clientId " " is not a client ID; give the ID the issuer registered for the app, without white space`);
  });

  test('fails when scopes lack openid', () => {
    expect(call({ scopes: ['email'] })).toThrow(`${at}scopes ["email"] lacks "openid", without which the issuer sends no ID token; add it`);
  });

  test('fails when a skip route regex is not anchored', () => {
    expect(call({ skipAuthRoutes: [SkipAuthRoute.regex('/healthz$')] })).toThrow(`${at}SkipAuthRoute.regex("/healthz$"): the pattern is not anchored with "^", `
      + 'so it would match anywhere in the path ("/admin/x/healthz$" too); start it with "^"');
  });

  test('fails when a skip route regex is invalid', () => {
    // The parser's own words (V8's) in the middle.
    expect(call({ skipAuthRoutes: [SkipAuthRoute.regex('^/a(')] })).toThrow(/^Deployment "test\/web", withAuthProxy: SkipAuthRoute\.regex\("\^\/a\("\): not a valid regular expression \(.*Unterminated group\); fix the pattern$/);
  });

  test('fails when a skip route regex uses look-around, which RE2 lacks', () => {
    expect(call({ skipAuthRoutes: [SkipAuthRoute.regex('^/(?!admin)')] })).toThrow(`${at}SkipAuthRoute.regex("^/(?!admin)"): look-around and back-references are not in Go's RE2 syntax, `
      + 'which oauth2-proxy compiles; rewrite the pattern without them');
  });

  test('fails when a skip route regex holds "="', () => {
    expect(call({ skipAuthRoutes: [SkipAuthRoute.regex('^/a=b$')] })).toThrow(`${at}SkipAuthRoute.regex("^/a=b$"): oauth2-proxy splits a route at its first "=" (METHOD=pattern); write "=" in the pattern as \\x3D`);
  });

  test('fails when a skip route method is not an HTTP method', () => {
    expect(call({ skipAuthRoutes: [SkipAuthRoute.path('/x', { methods: ['get'] })] })).toThrow(`${at}SkipAuthRoute.path("/x"): method "get" is not an HTTP method; `
      + 'give one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, CONNECT, TRACE');
  });

  test('fails when a skip prefix does not end with "/"', () => {
    expect(call({ skipAuthRoutes: [SkipAuthRoute.prefix('/static')] })).toThrow(`${at}SkipAuthRoute.prefix("/static"): a prefix ends with "/", or "/static" would also match "/static-admin"; `
      + 'give "/static/", or SkipAuthRoute.path for the one path');
  });

  test('fails when a skip path has ".." or a query', () => {
    expect(call({ skipAuthRoutes: [SkipAuthRoute.path('/a/../b')] })).toThrow(`${at}SkipAuthRoute.path("/a/../b"): oauth2-proxy never exempts a path with white space, control characters, `
      + '";", "\\", "//", "." or ".." segments; give a plain path');
    expect(call({ skipAuthRoutes: [SkipAuthRoute.path('/a?b=1')] })).toThrow(`${at}SkipAuthRoute.path("/a?b=1"): oauth2-proxy matches the path without query or fragment; remove the "?…" or "#…"`);
  });

  test('fails when SameSite=None comes without a secure cookie', () => {
    expect(call({ cookieSameSite: CookieSameSite.NONE, cookieSecure: false })).toThrow(`${at}cookieSameSite NONE with cookieSecure false: browsers drop a SameSite=None cookie `
      + 'that is not Secure; keep cookieSecure, or use CookieSameSite.LAX');
  });

  test('fails when cookieRefresh is not shorter than cookieExpire', () => {
    expect(call({ cookieRefresh: Duration.days(7) })).toThrow(`${at}cookieRefresh 7 days is not shorter than cookieExpire 7 days, which oauth2-proxy refuses at start; give a shorter cookieRefresh`);
  });

  test('fails when the port is below 1024', () => {
    expect(call({ port: 443 })).toThrow(`${at}port 443 is below 1024, which oauth2-proxy, running as a non-root user, cannot bind; `
      + 'pass a port of 1024 or more (a Service can still listen on 80 or 443)');
  });

  test('fails when the port is the app\'s port', () => {
    expect(call({ port: 8080 })).toThrow(`${at}port 8080 is the app's own port (the target port); the auth proxy must listen on another port: pass port (for example 4180)`);
  });

  test('fails when the app declares no port', () => {
    expect(call({}, { ports: [] })).toThrow(`${at}the app containers ("app") declare no TCP port, so the auth proxy does not know where to forward; `
      + 'declare the app\'s port on its container (portNumber or ports), or pass targetPort');
  });

  test('fails when called twice on one app port (a second one would be a way around the first)', () => {
    const { chart, web: w } = web();
    withAuthProxy(w, options(chart));
    expect(() => withAuthProxy(w, options(chart, { name: 'second', port: 4181 }))).toThrow(`${at}the app's port 8080 already has withAuthProxy (oauth2-proxy) (container "auth-proxy", port 4180) in front of it; `
      + 'one authenticating proxy per app port: remove this call, or pass targetPort for another port of the app');
  });

  test('fails when withProxy already forwards to the app port', () => {
    const { chart, web: w } = web();
    withProxy(w);
    expect(() => withAuthProxy(w, options(chart))).toThrow(`${at}withProxy (Envoy) (container "proxy", port 8081) already forwards to the app's port 8080, `
      + 'so requests through it would skip authentication; attach withAuthProxy first, then pass target: authProxy to withProxy');
  });

  test('fails when withProxy would forward to the app around the auth proxy', () => {
    const { chart, web: w } = web();
    withAuthProxy(w, options(chart));
    expect(() => withProxy(w)).toThrow('Deployment "test/web", withProxy: the app\'s port 8080 is behind withAuthProxy (oauth2-proxy) (container "auth-proxy", port 4180), '
      + 'which every request must pass; forwarding to the app directly would go around it: pass target (the object the withAuthProxy call returned) instead');
  });

  test('fails when withProxy gets both target and targetPort', () => {
    const { chart, web: w } = web();
    const auth = withAuthProxy(w, options(chart));
    expect(() => withProxy(w, { target: auth, targetPort: 8080 })).toThrow('Deployment "test/web", withProxy: targetPort 8080 and target are both given; '
      + 'pass one: target forwards to that sidecar\'s port 4180, targetPort to the app');
  });

  test('fails when withProxy targets the auth proxy of another workload', () => {
    const { chart, web: w } = web();
    const auth = withAuthProxy(w, options(chart));
    const other = new kplus.Deployment(chart, 'other', { containers: [APP] });
    expect(() => withProxy(other, { target: auth })).toThrow('Deployment "test/other", withProxy: target (container "auth-proxy") is not a sidecar of this pod; '
      + 'attach it to this workload first, or pass targetPort');
  });

  test('fails when withProxy would pass gRPC through the auth proxy', () => {
    const { chart, web: w } = web();
    const auth = withAuthProxy(w, options(chart));
    expect(() => withProxy(w, { target: auth, upstreamProtocol: UpstreamProtocol.GRPC })).toThrow('Deployment "test/web", withProxy: upstreamProtocol gRPC: the target (container "auth-proxy") '
      + 'speaks HTTP/1.1 to the app and cannot pass gRPC; remove upstreamProtocol, or forward to the app with targetPort');
  });

  test('fails when withProxy listens on the auth proxy\'s port', () => {
    const { chart, web: w } = web();
    const auth = withAuthProxy(w, options(chart));
    expect(() => withProxy(w, { target: auth, port: 4180 })).toThrow('Deployment "test/web", withProxy: port 4180 is the target\'s port; the proxy must listen on another port: pass port (for example 8081)');
  });

  test('a refused call leaves the app as it was', () => {
    const { app, chart, web: w } = web();
    expect(call({ port: 80 })).toThrow();
    expect(() => withAuthProxy(w, options(chart, { issuerUrl: 'http://x.example' }))).toThrow();
    expect(podSpecOf(find(synth(app).manifests, 'Deployment')).initContainers).toBeUndefined();
  });
});

describe('Secrets made in the chart, read at synthesis', () => {
  const COOKIE = Buffer.alloc(32, 7).toString('base64url');
  const make = (data: Record<string, string>) => {
    const { app, chart, web: w } = web();
    const s = new kplus.Secret(chart, 'made', { stringData: data });
    withAuthProxy(w, options(chart, { clientSecret: { secret: s, key: 'client-secret' }, cookieSecret: { secret: s, key: 'cookie-secret' } }));
    return { app, s };
  };

  test('a sound Secret passes, with keys added after the call', () => {
    const { app, s } = make({ 'client-secret': 'abc' });
    s.addStringData('cookie-secret', COOKIE);
    expect(() => synth(app)).not.toThrow();
  });

  test('fails when the key is not in the Secret', () => {
    const { app } = make({ 'client-secret': 'abc' });
    expect(synthFails(app)).toMatch(/\[test\/web\/auth-proxy\] Deployment "test\/web", withAuthProxy: cookieSecret\.key "cookie-secret" is not a key of Secret "[^"]+" \(it has "client-secret"\); the pod would never start: pass one of those, or add the key to the Secret/);
  });

  test('fails when the cookie secret is not 16, 24 or 32 bytes', () => {
    const { app } = make({ 'client-secret': 'abc', 'cookie-secret': Buffer.alloc(32, 0xff).toString('base64') });
    expect(synthFails(app)).toMatch(/withAuthProxy: cookieSecret: the value of key "cookie-secret" of Secret "[^"]+" is 44 bytes \(standard base64 with "\+" or "\/" is not read as base64: use the URL-safe alphabet, "-" and "_"\), and not URL-safe base64 of 16, 24 or 32 bytes/);
  });

  test('fails when the client secret ends with a newline', () => {
    const { app } = make({ 'client-secret': 'abc\n', 'cookie-secret': COOKIE });
    expect(synthFails(app)).toMatch(/withAuthProxy: clientSecret: the value of key "client-secret" of Secret "[^"]+" ends with a newline or space, which oauth2-proxy would send as part of the secret; store it without/);
  });

  test('raw 16, 24 and 32 byte secrets and their URL-safe base64 pass', () => {
    for (const cookie of ['0123456789abcdef', 'x'.repeat(24), 'y'.repeat(32), Buffer.alloc(16, 1).toString('base64url'), `${Buffer.alloc(24, 2).toString('base64url')}\n`]) {
      const { app } = make({ 'client-secret': 'abc', 'cookie-secret': cookie });
      expect(() => synth(app)).not.toThrow();
    }
  });
});
