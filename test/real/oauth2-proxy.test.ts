/**
 * The real oauth2-proxy (tools/oauth2-proxy: v7.15.6, the image's version, built from the Go
 * module proxy) runs the container withAuthProxy synthesizes, against a fake OpenID Connect
 * issuer and a fake app, both Node servers on 127.0.0.1.
 *
 * Each test synthesizes a workload through the public API with the issuer's loopback URL
 * (withAuthProxy accepts http:// only for loopback hosts) and reads the oauth2-proxy container
 * back from the manifest: its args are taken as Kubernetes would pass them (`$$` → `$`), each
 * Secret volume becomes a folder holding the Secret's items as the kubelet writes them, the
 * mount paths in the args point there, and one value is substituted: `--http-address`
 * `0.0.0.0:<port>` becomes `127.0.0.1:<port>`, so nothing listens beyond loopback. The probes
 * are asked at the paths and port the manifest gives them.
 *
 * The fake issuer serves discovery, JWKS (an RSA key made per run), an authorize endpoint that
 * signs the user in at once, and a token endpoint that checks the client secret and the PKCE
 * verifier before it returns an RS256 ID token. Every wait is bounded; every process and server
 * is stopped in afterAll.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { createHash, generateKeyPairSync, KeyObject, randomBytes, sign } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { buildTool, ROOT } from './tools';
import { AuthProxyOptions, OAUTH2_PROXY_IMAGE, ProxyEngine, SkipAuthRoute, withAuthProxy, withProxy } from '../../lib';
import { layOutPod } from '../proxy/pod-layout';
import { nginxBinary, nginxVersion, RunningNginx, selfSignedCertificate, startNginx, tempRoot } from '../proxy/real-nginx';
import { allContainers, podSpecOf } from '../util/restricted';
import { find, newApp, synth } from '../util/synth';

const OAUTH2_PROXY = buildTool('oauth2-proxy');
const CLIENT_ID = 'web';
const CLIENT_SECRET = `client-secret-${randomBytes(8).toString('hex')}`;
const COOKIE_SECRET = randomBytes(32).toString('base64url');
const WAIT_MS = 15_000;

const children = new Set<ChildProcess>();
const servers: http.Server[] = [];
const nginxes: RunningNginx[] = [];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth2-proxy-real-'));
afterAll(async () => {
  await Promise.all(nginxes.map((n) => n.stop()));
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('tools/oauth2-proxy pins the version of the image withAuthProxy runs', () => {
  const buildScript = fs.readFileSync(path.join(ROOT, 'tools', 'oauth2-proxy', 'build.sh'), 'utf8');
  expect(/^version=(\S+)/m.exec(buildScript)?.[1]).toBe(OAUTH2_PROXY_IMAGE.tag);
  expect(spawnSync(OAUTH2_PROXY, ['--version'], { encoding: 'utf8', timeout: WAIT_MS }).stdout).toMatch(new RegExp(`^oauth2-proxy ${OAUTH2_PROXY_IMAGE.tag} `));
});

// -- the fake issuer and app ------------------------------------------------------------------

interface User { readonly sub: string; readonly email: string; readonly groups?: string[] }

interface Issuer {
  readonly url: string;
  /** The user the next authorize request signs in. */
  user: User;
  /** What the token endpoint received, per request. */
  readonly tokenRequests: Array<{ clientSecret?: string; verifierMatched: boolean }>;
}

function listen(server: http.Server): Promise<number> {
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function jwt(key: KeyObject, kid: string, claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${part({ alg: 'RS256', typ: 'JWT', kid })}.${part(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

async function startIssuer(): Promise<Issuer> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = 'test-key';
  const codes = new Map<string, { challenge?: string; user: User; nonce?: string }>();
  const issuer: Issuer = { url: '', user: { sub: 'ada', email: 'ada@example.com' }, tokenRequests: [] };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer.url);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer: issuer.url,
        authorization_endpoint: `${issuer.url}/authorize`,
        token_endpoint: `${issuer.url}/token`,
        jwks_uri: `${issuer.url}/jwks`,
        userinfo_endpoint: `${issuer.url}/userinfo`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
      });
    }
    if (url.pathname === '/jwks') return json(200, { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' }] });
    if (url.pathname === '/authorize') {
      const code = randomBytes(12).toString('hex');
      codes.set(code, { challenge: url.searchParams.get('code_challenge') ?? undefined, user: issuer.user, nonce: url.searchParams.get('nonce') ?? undefined });
      const back = new URL(url.searchParams.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      let body = '';
      req.on('data', (chunk) => { body += chunk; });
      req.on('end', () => {
        const form = new URLSearchParams(body);
        const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        const clientSecret = form.get('client_secret')
          ?? (basic ? decodeURIComponent(Buffer.from(basic, 'base64').toString('utf8').split(':').slice(1).join(':')) : undefined);
        const grant = codes.get(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        const verifierMatched = grant?.challenge !== undefined && createHash('sha256').update(verifier).digest('base64url') === grant.challenge;
        issuer.tokenRequests.push({ clientSecret, verifierMatched });
        if (!grant || clientSecret !== CLIENT_SECRET || !verifierMatched) return json(400, { error: 'invalid_grant' });
        const now = Math.floor(Date.now() / 1000);
        const { user } = grant;
        return json(200, {
          access_token: `access-${user.sub}`,
          token_type: 'Bearer',
          expires_in: 3600,
          id_token: jwt(privateKey, kid, {
            iss: issuer.url,
            aud: CLIENT_ID,
            sub: user.sub,
            email: user.email,
            email_verified: true,
            preferred_username: user.sub,
            groups: user.groups ?? [],
            iat: now,
            exp: now + 3600,
            ...(grant.nonce ? { nonce: grant.nonce } : {}),
          }),
        });
      });
      return undefined;
    }
    return json(404, { error: 'not_found' });
  });
  const port = await listen(server);
  (issuer as { url: string }).url = `http://127.0.0.1:${port}`;
  return issuer;
}

/** The app: answers every request with what it received. */
async function startApp(): Promise<{ port: number; seen: Array<{ path: string; headers: http.IncomingHttpHeaders }> }> {
  const seen: Array<{ path: string; headers: http.IncomingHttpHeaders }> = [];
  const port = await listen(http.createServer((req, res) => {
    seen.push({ path: req.url ?? '', headers: req.headers });
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`app ${req.url}`);
  }));
  return { port, seen };
}

// -- running the synthesized container ----------------------------------------------------------

/** `$(VAR)` expansion as the kubelet does it, for a container without env: `$$` → `$`, the rest as is. */
function asKubernetesPassesIt(arg: string): string {
  return arg.replace(/\$\$/g, '$');
}

interface Running {
  readonly port: number;
  readonly container: any;
  readonly output: () => string;
}

/** The workload the tests synthesize: the app on `appPort`, with its readiness probe. */
function appWorkload(chart: Chart, appPort: number): kplus.Deployment {
  return new kplus.Deployment(chart, 'web', {
    containers: [{
      name: 'app',
      image: 'ghcr.io/acme/web:1.4.2',
      ports: [{ number: appPort, name: 'http' }],
      securityContext: { user: 1000 },
      readiness: kplus.Probe.fromHttpGet('/healthz', { port: appPort }),
    }],
  });
}

/** withAuthProxy's options for the fake issuer, with the Secrets made in `chart`. */
function authOptions(chart: Chart, issuer: Issuer, port: number, options: Partial<AuthProxyOptions>): AuthProxyOptions {
  const oidc = new kplus.Secret(chart, 'oidc', { stringData: { 'client-secret': CLIENT_SECRET, 'cookie-secret': COOKIE_SECRET } });
  return {
    issuerUrl: issuer.url,
    clientId: CLIENT_ID,
    clientSecret: { secret: oidc, key: 'client-secret' },
    cookieSecret: { secret: oidc, key: 'cookie-secret' },
    emailDomains: ['example.com'],
    port,
    ...options,
  };
}

async function runAuthProxy(options: Partial<AuthProxyOptions>, issuer: Issuer, appPort: number): Promise<Running> {
  const { app, chart } = newApp();
  const port = await freePort();
  withAuthProxy(appWorkload(chart, appPort), authOptions(chart, issuer, port, options));
  const { manifests } = synth(app);
  return startAuthProxy(manifests, options.name ?? 'auth-proxy', port);
}

/** Starts the oauth2-proxy container `name` of the synthesized Deployment, listening on `port`, and waits until it is ready. */
async function startAuthProxy(manifests: any[], name: string, port: number): Promise<Running> {
  const spec = podSpecOf(find(manifests, 'Deployment'));
  const container = allContainers(spec).find((c: any) => c.name === name);
  expect(container.image).toBe(`${OAUTH2_PROXY_IMAGE.repository}:${OAUTH2_PROXY_IMAGE.tag}`);
  expect(container.command).toBeUndefined(); // the image's ENTRYPOINT, /bin/oauth2-proxy

  // Each Secret volume: a folder with the Secret's items, as the kubelet writes them.
  const dir = fs.mkdtempSync(path.join(tmp, 'pod-'));
  const mounts: Array<[string, string]> = [];
  for (const mount of container.volumeMounts) {
    const volume = spec.volumes.find((v: any) => v.name === mount.name);
    const secret = find(manifests, 'Secret', volume.secret.secretName);
    const host = path.join(dir, mount.name);
    fs.mkdirSync(host);
    for (const item of volume.secret.items) fs.writeFileSync(path.join(host, item.path), secret.stringData[item.key], { mode: 0o644 });
    mounts.push([mount.mountPath, host]);
  }
  const args = (container.args as string[]).map(asKubernetesPassesIt).map((arg) => {
    if (arg === `--http-address=0.0.0.0:${port}`) return `--http-address=127.0.0.1:${port}`; // substituted: see the file's comment
    const found = mounts.find(([mountPath]) => arg.includes(`=${mountPath}/`));
    return found ? arg.replace(`=${found[0]}/`, `=${found[1]}/`) : arg;
  });
  let output = '';
  const child = spawn(OAUTH2_PROXY, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  child.on('exit', () => children.delete(child));

  // Ready as the kubelet sees it: the readiness probe, at its path and port.
  const readiness = container.readinessProbe.httpGet;
  expect(readiness.port).toBe(port);
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const status = await request(port, readiness.path).then((r) => r.status, () => 0);
    if (status === 200) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`oauth2-proxy never became ready (exit ${child.exitCode}):\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { port, container, output: () => output };
}

interface Response { status: number; headers: http.IncomingHttpHeaders; body: string }

function request(port: number, pathAndQuery: string, headers: http.OutgoingHttpHeaders = {}, host = '127.0.0.1'): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, path: pathAndQuery, headers, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout on ${pathAndQuery}`)));
    req.on('error', reject);
    req.end();
  });
}

function get(url: string, cookies: string[] = []): Promise<Response> {
  const u = new URL(url);
  return request(Number(u.port), `${u.pathname}${u.search}`, { accept: 'text/html', cookie: cookies.join('; ') });
}

const cookiesOf = (res: Response): string[] => (res.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]);

/** A browser's sign-in: the app's page, the issuer, the callback, back to the page. */
async function signIn(proxyPort: number, pagePath: string): Promise<{ cookies: string[]; final: Response; callback: Response; start: Response }> {
  const start = await get(`http://127.0.0.1:${proxyPort}${pagePath}`);
  expect(start.status).toBe(302);
  const authorize = await get(start.headers.location!);
  expect(authorize.status).toBe(302);
  const callback = await get(authorize.headers.location!, cookiesOf(start));
  const cookies = cookiesOf(callback);
  const final = callback.status === 302 ? await get(new URL(callback.headers.location!, `http://127.0.0.1:${proxyPort}`).toString(), cookies) : callback;
  return { cookies, final, callback, start };
}

// -- the tests ----------------------------------------------------------------------------------

describe('oauth2-proxy runs what withAuthProxy synthesizes', () => {
  let issuer: Issuer;
  let app: Awaited<ReturnType<typeof startApp>>;
  beforeAll(async () => {
    issuer = await startIssuer();
    app = await startApp();
  });

  test('probes answer; an unauthenticated visitor is sent to the issuer (API clients get 401); the app\'s probe path and a skip route reach the app', async () => {
    const proxy = await runAuthProxy({ skipAuthRoutes: [SkipAuthRoute.prefix('/static/'), SkipAuthRoute.regex('^/api/v[0-9]{1,3}/status$', { methods: ['GET'] })] }, issuer, app.port);
    expect((await request(proxy.port, proxy.container.livenessProbe.httpGet.path)).status).toBe(200);

    const page = await request(proxy.port, '/private', { accept: 'text/html' });
    expect(page.status).toBe(302);
    const location = new URL(page.headers.location!);
    expect(`${location.origin}${location.pathname}`).toBe(`${issuer.url}/authorize`);
    expect(location.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    // cookieSecure (the default) makes oauth2-proxy build an https:// redirect URL whatever the
    // request's scheme (oauthproxy.go getOAuthRedirectURI): right behind TLS terminated elsewhere.
    expect(location.searchParams.get('redirect_uri')).toBe(`https://127.0.0.1:${proxy.port}/oauth2/callback`);
    expect((await request(proxy.port, '/private', { accept: 'application/json' })).status).toBe(401);

    const before = app.seen.length;
    expect((await request(proxy.port, '/healthz')).body).toBe('app /healthz'); // the app's readiness probe path
    expect((await request(proxy.port, '/static/app.css')).body).toBe('app /static/app.css');
    expect((await request(proxy.port, '/api/v12/status')).body).toBe('app /api/v12/status'); // {1,3}: the comma survived
    expect((await request(proxy.port, '/api/v12/status/x', { accept: 'application/json' })).status).toBe(401);
    expect(app.seen.slice(before).map((s) => s.path)).toEqual(['/healthz', '/static/app.css', '/api/v12/status']);
  });

  test('a full sign-in: the client secret and PKCE verifier reach the issuer, the cookie secret seals the session, the app gets the user', async () => {
    issuer.user = { sub: 'ada', email: 'ada@example.com', groups: ['staff'] };
    const proxy = await runAuthProxy({ name: 'auth-proxy', passAccessToken: true }, issuer, app.port);
    const { cookies, final } = await signIn(proxy.port, '/private?x=1');
    expect(issuer.tokenRequests.at(-1)).toEqual({ clientSecret: CLIENT_SECRET, verifierMatched: true });
    expect(cookies.some((c) => c.startsWith('__Host-oauth2-proxy='))).toBe(true);
    expect(final.status).toBe(200);
    expect(final.body).toBe('app /private?x=1');
    const headers = app.seen.at(-1)!.headers;
    expect(headers['x-forwarded-email']).toBe('ada@example.com');
    expect(headers['x-forwarded-user']).toBe('ada');
    expect(headers['x-forwarded-groups']).toBe('staff');
    expect(headers['x-forwarded-access-token']).toBe('access-ada');
    expect(headers.authorization).toBeUndefined(); // passIdToken is off
  });

  test('a client cannot pose as a user: X-Forwarded-Email from the request is replaced', async () => {
    issuer.user = { sub: 'ada', email: 'ada@example.com' };
    const proxy = await runAuthProxy({}, issuer, app.port);
    const { cookies } = await signIn(proxy.port, '/');
    await request(proxy.port, '/who', { 'cookie': cookies.join('; '), 'x-forwarded-email': 'root@example.com' });
    expect(app.seen.at(-1)!.headers['x-forwarded-email']).toBe('ada@example.com');
  });

  test('emailDomains keeps out a user of another domain; allowedGroups one outside the groups', async () => {
    issuer.user = { sub: 'eve', email: 'eve@elsewhere.test' };
    const byDomain = await runAuthProxy({}, issuer, app.port);
    const before = app.seen.length;
    expect((await signIn(byDomain.port, '/private')).callback.status).toBe(403);

    issuer.user = { sub: 'bob', email: 'bob@example.com', groups: ['contractors'] };
    const byGroup = await runAuthProxy({ emailDomains: undefined, allowedGroups: ['staff'] }, issuer, app.port);
    expect((await signIn(byGroup.port, '/private')).callback.status).toBe(403);
    expect(app.seen.length).toBe(before);

    issuer.user = { sub: 'ada', email: 'ada@anywhere.test', groups: ['staff'] };
    expect((await signIn(byGroup.port, '/private')).final.body).toBe('app /private');
  });

  test('--config-test accepts every option set (groups only, cookie domains, refresh, scopes, routes with "=", "$" and ",")', async () => {
    const sets: Array<Partial<AuthProxyOptions>> = [
      { emailDomains: ['*'] },
      { emailDomains: undefined, allowedGroups: ['CN=admins,OU=groups', 'staff "core"'] },
      { cookieDomains: ['.example.com'], cookieRefresh: Duration.hours(1), cookieExpire: Duration.hours(12) },
      { cookieSecure: false, scopes: ['openid', 'email', 'profile', 'groups'], redirectUrl: 'https://app.example.com/oauth2/callback' },
      { skipAuthRoutes: [SkipAuthRoute.path('/a=b!c$(HOME)', { methods: ['GET', 'HEAD'] }), SkipAuthRoute.regex('^/x{1,2}\\x3D$')], passIdToken: true, passUserHeaders: false },
    ];
    for (const options of sets) {
      const proxy = await runAuthProxy(options, issuer, app.port);
      const args = (proxy.container.args as string[]).map(asKubernetesPassesIt);
      const check = spawnSync(OAUTH2_PROXY, [...args.filter((a) => !a.startsWith('--http-address') && !a.includes('-secret-file=')),
        ...args.filter((a) => a.includes('-secret-file=')).map((a) => a.replace(/=\/etc\/oauth2-proxy\/([a-z-]+)\/([a-z-]+)$/, (_m, _d, f) => `=${writeSecretFile(f)}`)),
        '--http-address=127.0.0.1:0', '--config-test'], { encoding: 'utf8', timeout: WAIT_MS });
      expect({ options: JSON.stringify(options), status: check.status, output: check.status === 0 ? '' : check.stderr + check.stdout }).toEqual({ options: JSON.stringify(options), status: 0, output: '' });
    }
  });

  test('a route with "=" and "$" is matched as written, after Kubernetes\' $(VAR) expansion', async () => {
    const proxy = await runAuthProxy({ skipAuthRoutes: [SkipAuthRoute.path('/a=b!c$(HOME)')] }, issuer, app.port);
    expect(proxy.container.args).toContain('--skip-auth-route=^/a\\x3Db\\x21c\\$\\(HOME\\)$');
    expect((await request(proxy.port, '/a=b!c$(HOME)')).body).toBe('app /a=b!c$(HOME)');
    expect((await request(proxy.port, '/a=b!c', { accept: 'application/json' })).status).toBe(401);
  });

  test('a cookie secret in standard base64, in a Secret only the cluster knows, stops oauth2-proxy at start (as docs/auth-proxy.md says)', () => {
    const file = path.join(tmp, 'std-base64-cookie-secret');
    fs.writeFileSync(file, Buffer.alloc(32, 0xff).toString('base64')); // "//////…8=": `openssl rand -base64 32` without the tr
    const run = spawnSync(OAUTH2_PROXY, ['--provider=oidc', `--oidc-issuer-url=${issuer.url}`, `--client-id=${CLIENT_ID}`, `--client-secret=${CLIENT_SECRET}`,
      '--email-domain=*', `--cookie-secret-file=${file}`, '--http-address=127.0.0.1:0', '--config-test'], { encoding: 'utf8', timeout: WAIT_MS });
    expect(run.status).not.toBe(0);
    expect(run.stderr + run.stdout).toContain('cookie_secret from file must be 16, 24, or 32 bytes to create an AES cipher, but is 44 bytes');
  });

  test('the same secret with a trailing newline is read as base64 all the same (Go\'s decoder skips newlines)', () => {
    const file = path.join(tmp, 'newline-cookie-secret');
    fs.writeFileSync(file, `${COOKIE_SECRET}\n`);
    const run = spawnSync(OAUTH2_PROXY, ['--provider=oidc', `--oidc-issuer-url=${issuer.url}`, `--client-id=${CLIENT_ID}`, `--client-secret=${CLIENT_SECRET}`,
      '--email-domain=*', `--cookie-secret-file=${file}`, '--http-address=127.0.0.1:0', '--config-test'], { encoding: 'utf8', timeout: WAIT_MS });
    expect({ status: run.status, output: run.stderr }).toEqual({ status: 0, output: '' });
  });
});

function writeSecretFile(name: string): string {
  const file = path.join(tmp, `config-test-${name}`);
  fs.writeFileSync(file, name === 'cookie-secret' ? COOKIE_SECRET : CLIENT_SECRET);
  return file;
}

describe('the three containers of one pod: TLS at nginx (withProxy with target), then oauth2-proxy, then the app', () => {
  test('a sign-in over https through nginx and oauth2-proxy reaches the app with the user; unauthenticated requests never reach it', async () => {
    const bin = nginxBinary();
    if (!bin) throw new Error('nginx is not installed: this suite runs the real nginx (apt-get install nginx)');
    const issuer = await startIssuer();
    const appServer = await startApp();
    const root = tempRoot('auth-chain-');
    const { cert, key } = selfSignedCertificate(root);
    const { app, chart } = newApp();
    const authPort = await freePort();
    const proxyPort = await freePort();
    const web = appWorkload(chart, appServer.port);
    const auth = withAuthProxy(web, authOptions(chart, issuer, authPort, {}));
    const tls = new kplus.TlsSecret(chart, 'tls', { tlsCert: cert, tlsKey: key });
    withProxy(web, { target: auth, engine: ProxyEngine.NGINX, port: proxyPort, tls: { secret: tls }, image: `docker.io/nginxinc/nginx-unprivileged:${nginxVersion(bin)}` });
    const { manifests } = synth(app);

    await startAuthProxy(manifests, 'auth-proxy', authPort);
    const layout = layOutPod(manifests, find(manifests, 'Deployment'), 'proxy', root);
    const ca = cert;
    const tlsGet = (pathAndQuery: string, headers: http.OutgoingHttpHeaders = {}): Promise<Response> => new Promise((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', port: proxyPort, path: pathAndQuery, headers: { accept: 'text/html', ...headers }, ca, servername: 'localhost', agent: false, timeout: 5000 }, (res) => {
        let body = '';
        res.on('data', (d) => { body += d; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('timeout', () => req.destroy(new Error(`timeout on ${pathAndQuery}`)));
      req.on('error', reject);
      req.end();
    });
    nginxes.push(await startNginx(bin, layout, root, async () => (await tlsGet('/proxy-healthz')).status === 200));

    const before = appServer.seen.length;
    const start = await tlsGet('/private');
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.location!);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${issuer.url}/authorize`);
    const redirectUri = new URL(authorize.searchParams.get('redirect_uri')!);
    expect(redirectUri.protocol).toBe('https:');
    expect(redirectUri.pathname).toBe('/oauth2/callback');
    expect(appServer.seen.length).toBe(before); // oauth2-proxy stopped it

    const back = await get(start.headers.location!);
    const callbackUrl = new URL(back.headers.location!);
    // The callback goes to nginx again, over TLS (the browser would follow redirect_uri).
    const callback = await tlsGet(`${callbackUrl.pathname}${callbackUrl.search}`, { cookie: cookiesOf(start).join('; ') });
    expect(callback.status).toBe(302);
    const final = await tlsGet('/private', { cookie: cookiesOf(callback).join('; ') });
    expect(final.status).toBe(200);
    expect(final.body).toBe('app /private');
    expect(appServer.seen.at(-1)!.headers['x-forwarded-email']).toBe('ada@example.com');
    expect(issuer.tokenRequests.at(-1)).toEqual({ clientSecret: CLIENT_SECRET, verifierMatched: true });

    // A forged identity on a route that skips authentication (the app's probe path). oauth2-proxy
    // v7 strips the X-Forwarded-* identity headers itself there (--skip-auth-strip-headers, on by
    // default) but passes X-Auth-Request-* on as they came: measured here, and the reason the
    // front proxy removes all ten (withProxy with an auth proxy as its target).
    const forged = { 'x-forwarded-user': 'root', 'x-forwarded-email': 'root@example.com', 'x-auth-request-user': 'root' };
    const direct = await request(authPort, '/healthz', forged);
    expect(direct.body).toBe('app /healthz');
    const bypassed = appServer.seen.at(-1)!.headers;
    expect([bypassed['x-forwarded-user'], bypassed['x-forwarded-email'], bypassed['x-auth-request-user']]).toEqual([undefined, undefined, 'root']);
    const fronted = await tlsGet('/healthz', forged);
    expect(fronted.body).toBe('app /healthz');
    const seen = appServer.seen.at(-1)!.headers;
    expect([seen['x-forwarded-user'], seen['x-forwarded-email'], seen['x-auth-request-user']]).toEqual([undefined, undefined, undefined]);
  });
});
