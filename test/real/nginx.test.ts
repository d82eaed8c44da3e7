/**
 * withProxy with ProxyEngine.NGINX against the real nginx: the synthesized configuration, laid
 * out like the pod's mounts, passes `nginx -t`, then nginx runs in front of a small app started
 * here and real requests go through it, in cleartext, over TLS (HTTP/1.1 and HTTP/2) and as
 * gRPC over HTTP/2 cleartext.
 *
 * The configuration is rendered for the nginx installed here (Debian's 1.22 in CI) by passing
 * its version in the image tag, as a user pinning an older mirror would; the only difference
 * from the pinned image's rendering (1.30) is how HTTP/2 is switched on, checked at the end.
 */
import { X509Certificate } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as http2 from 'http2';
import * as https from 'https';
import * as net from 'net';
import * as path from 'path';
import * as tlsSocket from 'tls';
import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { ConfigReload, ConfigSource, ProxyEngine, SecurityHeaders, UpstreamProtocol, withConfigSync, withProxy } from '../../lib';
import { layOutLikeKubelet, layOutPod, PodLayout, updateLikeKubelet } from '../proxy/pod-layout';
import { freePort, nginxBinary, nginxTest, nginxVersion, RunningNginx, selfSignedCertificate, sleep, startEchoApp, startNginx, tempRoot } from '../proxy/real-nginx';
import { find, newApp, synth } from '../util/synth';

const NGINX = nginxBinary();
if (!NGINX) {
  throw new Error('nginx is not installed: the proxy tests run the real nginx (.ci/run installs it with apt-get install nginx)');
}
const VERSION = nginxVersion(NGINX);

/** Synthesizes a Deployment with the app on `appPort` and an nginx proxy; lays the proxy out under `root`. */
function synthesizeProxy(root: string, appPort: number, options: Parameters<typeof withProxy>[1], tls?: { cert: string; key: string },
  before?: (web: kplus.Deployment) => void) {
  const { app, chart } = newApp();
  const web = new kplus.Deployment(chart, 'web', {
    containers: [{ name: 'app', image: 'ghcr.io/acme/web:1.4.2', portNumber: appPort, securityContext: { user: 1000 } }],
  });
  before?.(web);
  const secret = tls ? new kplus.TlsSecret(chart, 'tls', { tlsCert: tls.cert, tlsKey: tls.key }) : undefined;
  const proxy = withProxy(web, {
    engine: ProxyEngine.NGINX,
    image: `docker.io/nginxinc/nginx-unprivileged:${VERSION}`,
    ...options,
    ...(secret ? { tls: { secret } } : {}),
  });
  const { manifests } = synth(app);
  const layout = layOutPod(manifests, find(manifests, 'Deployment'), proxy.container.name, root);
  return { proxy, manifests, layout };
}

function request(url: string, init: { method?: string; headers?: Record<string, string>; body?: Buffer; ca?: string } = {}):
Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const lib = url.startsWith('https:') ? https : http;
    const req = lib.request(url, { method: init.method ?? 'GET', headers: init.headers, ca: init.ca, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/**
 * A WebSocket-style upgrade through the proxy on a raw socket: the request head, the 101, then
 * `payload` written after the upgrade and read back from the echoing app. Rejects when no
 * 101 comes, or the echo is not complete, within `withinMs`.
 */
function upgradeAndEcho(port: number, payload: Buffer, withinMs = 5000): Promise<{ status: string; echoed: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let status: string | undefined;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`upgrade hung: ${status ? `101, then ${received.length} of ${payload.length} bytes echoed` : `no answer to the upgrade: ${received.toString('latin1')}`}`));
    }, withinMs);
    socket.on('error', (e) => { clearTimeout(timer); reject(e); });
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (status === undefined) {
        const end = received.indexOf('\r\n\r\n');
        if (end < 0) return;
        status = received.subarray(0, received.indexOf('\r\n')).toString('latin1');
        received = received.subarray(end + 4);
        if (!/ 101 /.test(status)) {
          clearTimeout(timer);
          socket.destroy();
          resolve({ status, echoed: received });
          return;
        }
        socket.write(payload);
      }
      if (received.length >= payload.length) {
        clearTimeout(timer);
        socket.destroy();
        resolve({ status, echoed: received });
      }
    });
    socket.write(`GET /socket?room=1 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`
      + 'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
  });
}

/** The certificate a TLS client gets from 127.0.0.1:`port` on a new connection (no session resumed). */
function servedCertificate(port: number, ca: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsSocket.connect({ host: '127.0.0.1', port, servername: 'localhost', ca }, () => {
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      socket.end();
      resolve(fingerprint);
    });
    socket.on('error', reject);
  });
}

describe('nginx proxy, cleartext HTTP/1.1', () => {
  let root: string;
  let app: Awaited<ReturnType<typeof startEchoApp>>;
  let nginx: RunningNginx | undefined;
  let layout: PodLayout;
  let port: number;

  beforeAll(async () => {
    root = tempRoot('proxy-nginx-');
    app = await startEchoApp();
    port = await freePort();
    ({ layout } = synthesizeProxy(root, app.port, { port, maxRequestBodySize: Size.kibibytes(4) }));
    nginx = await startNginx(NGINX, layout, root, async () => (await request(`http://127.0.0.1:${port}/proxy-healthz`)).status === 200);
  });

  afterAll(async () => {
    await nginx?.stop();
    await app?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('nginx -t accepts the configuration, read from the mounted ConfigMap', () => {
    const result = nginxTest(NGINX, layout, root);
    expect(result.output).toContain('syntax is ok');
    expect(result.output).toContain('test is successful');
    expect(result.status).toBe(0);
    // nginx read the file where the pod mounts it, and wrote its pid and temp folders on the emptyDir.
    const config = layout.mounts.find((m) => m.mountPath === '/etc/proxy/config')!;
    expect(layout.argv).toContain(path.join(config.dir, 'nginx.conf'));
    const tmp = layout.mounts.find((m) => m.mountPath === '/tmp')!;
    expect(tmp.volume.emptyDir).toBeDefined();
    expect(fs.readdirSync(tmp.dir).sort()).toEqual(expect.arrayContaining(['client_temp', 'nginx.pid', 'proxy_temp']));
  });

  test('passes method, path, query string, headers and body to the app, and the app\'s answer back', async () => {
    const body = Buffer.from('hello from the client');
    const res = await request(`http://127.0.0.1:${port}/a/b%20c/?x=1&y=%2F&z`, {
      method: 'POST', headers: { 'x-custom': 'abc', 'content-type': 'text/plain' }, body,
    });
    expect(res.status).toBe(200);
    expect(res.headers['x-app']).toBe('echo');
    expect(res.headers.server).toBe('echo-app/1.0');
    const seen = JSON.parse(res.body);
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/a/b%20c/?x=1&y=%2F&z');
    expect(seen.headers['x-custom']).toBe('abc');
    expect(seen.headers.host).toBe(`127.0.0.1:${port}`);
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen.headers['x-forwarded-proto']).toBe('http');
    expect(seen.bodyLength).toBe(body.length);
  });

  test('answers the health endpoint itself, without reaching the app', async () => {
    const before = app.seen.length;
    const res = await request(`http://127.0.0.1:${port}/proxy-healthz`);
    expect(res.status).toBe(200);
    expect(res.body).toBe('ok\n');
    expect(app.seen.length).toBe(before);
    // Only the exact path: anything below it is the app's.
    const below = await request(`http://127.0.0.1:${port}/proxy-healthz/more`);
    expect(JSON.parse(below.body).url).toBe('/proxy-healthz/more');
  });

  test('refuses a body over maxRequestBodySize with 413, and passes one under it', async () => {
    const over = await request(`http://127.0.0.1:${port}/upload`, { method: 'POST', body: Buffer.alloc(4 * 1024 + 1, 'x') });
    expect(over.status).toBe(413);
    const under = await request(`http://127.0.0.1:${port}/upload`, { method: 'POST', body: Buffer.alloc(4 * 1024, 'x') });
    expect(under.status).toBe(200);
    expect(JSON.parse(under.body).bodyLength).toBe(4 * 1024);
  });

  test('writes an access log line per request to stdout, none for the probes', async () => {
    await request(`http://127.0.0.1:${port}/logged?q=1`);
    await new Promise((r) => setTimeout(r, 100));
    expect(nginx!.stdout()).toMatch(/"GET \/logged\?q=1 HTTP\/1\.1" 200 /);
    expect(nginx!.stdout()).toContain('"GET /proxy-healthz/more HTTP/1.1" 200 '); // the app's path
    expect(nginx!.stdout()).not.toContain('"GET /proxy-healthz HTTP'); // probes are not logged
  });

  test('passes a WebSocket upgrade through unbuffered, body limit or not: 101, then 64 KiB each way', async () => {
    // maxRequestBodySize is 4 KiB here: it limits request bodies, not an upgraded connection.
    const payload = Buffer.alloc(64 * 1024, 'w');
    const { status, echoed } = await upgradeAndEcho(port, payload);
    expect(status).toBe('HTTP/1.1 101 Switching Protocols');
    expect(echoed.equals(payload)).toBe(true);
    const seen = app.seen.at(-1)!;
    expect(seen.url).toBe('/socket?room=1');
    expect(seen.headers.upgrade).toBe('websocket');
    expect(seen.headers.connection).toBe('upgrade');
  });

  test('trusts no X-Forwarded-* by default: the client is the peer, its forged headers are appended to or overwritten', async () => {
    const res = await request(`http://127.0.0.1:${port}/who`, { headers: { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https' } });
    const seen = JSON.parse(res.body);
    expect(seen.headers['x-forwarded-for']).toBe('203.0.113.7, 127.0.0.1');
    expect(seen.headers['x-real-ip']).toBe('127.0.0.1');
    expect(seen.headers['x-forwarded-proto']).toBe('http');
    await sleep(100);
    expect(nginx!.stdout()).toMatch(/^127\.0\.0\.1 - - \[[^\]]+\] "GET \/who HTTP\/1\.1" 200 /m);
  });

  test('answers 502 when the app is not listening', async () => {
    const down = await freePort();
    const root2 = tempRoot('proxy-nginx-down-');
    const proxyPort = await freePort();
    const { layout: l2 } = synthesizeProxy(root2, down, { port: proxyPort, connectTimeout: undefined });
    const n2 = await startNginx(NGINX, l2, root2, async () => (await request(`http://127.0.0.1:${proxyPort}/proxy-healthz`)).status === 200);
    try {
      expect((await request(`http://127.0.0.1:${proxyPort}/`)).status).toBe(502);
      await new Promise((r) => setTimeout(r, 100));
      expect(n2.stderr()).toMatch(/connect\(\) failed \(111: Connection refused\) while connecting to upstream/); // error_log stderr
    } finally {
      await n2.stop();
      fs.rmSync(root2, { recursive: true, force: true });
    }
  });
});

describe('nginx proxy, security options: response headers, removed request headers, internal paths', () => {
  let root: string;
  let app: Awaited<ReturnType<typeof startEchoApp>>;
  let nginx: RunningNginx | undefined;
  let layout: PodLayout;
  let port: number;
  let internalPaths: string[];

  beforeAll(async () => {
    root = tempRoot('proxy-nginx-sec-');
    app = await startEchoApp();
    port = await freePort();
    let proxy: ReturnType<typeof withProxy>;
    ({ layout, proxy } = synthesizeProxy(root, app.port, {
      port,
      responseHeaders: SecurityHeaders.recommended({ contentSecurityPolicy: "default-src 'self'" }),
      removeRequestHeaders: ['X-Forwarded-User', 'X-Auth-Request-Email'],
      internalPaths: ['/admin'],
    }, undefined, (web) => {
      // Another helper's callback on the app's port, registered before withProxy.
      withConfigSync(web, { source: ConfigSource.configMaps({ label: 'web-config' }), mountPath: '/etc/web', reload: ConfigReload.httpPost({ port: app.port, path: '/-/reload' }) });
    }));
    internalPaths = proxy.internalPaths;
    nginx = await startNginx(NGINX, layout, root, async () => (await request(`http://127.0.0.1:${port}/proxy-healthz`)).status === 200);
  });

  afterAll(async () => {
    await nginx?.stop();
    await app?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('nginx -t accepts the configuration', () => {
    const result = nginxTest(NGINX, layout, root);
    expect(result.output).toContain('test is successful');
    expect(result.status).toBe(0);
    expect(internalPaths).toEqual(['/admin', '/-/reload']);
  });

  test('every answer carries the security headers: the app\'s (its own X-Frame-Options replaced), the health endpoint\'s, a 404 of an internal path', async () => {
    const expected = {
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'strict-origin-when-cross-origin',
      'x-frame-options': 'DENY',
      'content-security-policy': "default-src 'self'; frame-ancestors 'none'",
    };
    const fromApp = await request(`http://127.0.0.1:${port}/page`, { headers: { 'x-app-frame-options': 'ALLOWALL' } });
    expect(fromApp.status).toBe(200);
    expect(fromApp.headers['x-app']).toBe('echo');
    expect(fromApp.headers).toMatchObject(expected);
    // Exactly one X-Frame-Options: the app's is dropped (Node joins repeated headers with ", ").
    expect(fromApp.headers['x-frame-options']).toBe('DENY');
    const health = await request(`http://127.0.0.1:${port}/proxy-healthz`);
    expect(health.headers).toMatchObject(expected);
    const internal = await request(`http://127.0.0.1:${port}/admin`);
    expect(internal.status).toBe(404);
    expect(internal.headers).toMatchObject(expected);
    // Not vacuous: the app alone sends none of them.
    const direct = await request(`http://127.0.0.1:${app.port}/page`);
    expect(direct.headers['x-content-type-options']).toBeUndefined();
  });

  test('a removed request header never reaches the app, in any letter case; the others pass', async () => {
    const res = await request(`http://127.0.0.1:${port}/who`, {
      headers: { 'X-Forwarded-User': 'mallory', 'x-auth-request-email': 'mallory@example.com', 'x-custom': 'kept' },
    });
    const seen = JSON.parse(res.body);
    expect(seen.headers['x-custom']).toBe('kept');
    expect(seen.headers).not.toHaveProperty('x-forwarded-user');
    expect(seen.headers).not.toHaveProperty('x-auth-request-email');
  });

  test('an internal path answers 404 through the proxy, in every spelling, and never reaches the app; the app still gets it on its own port', async () => {
    const before = app.seen.length;
    const spellings = ['/-/reload', '/-/reload?x=1', '/-/RELOAD', '/-/reload/', '/-/reload/more', '//-/reload', '/x/../-/reload', '/-/./reload', '/-/%72eload', '/-%2Freload', '/-/%2E/reload',
      '/admin', '/Admin/users'];
    for (const spelling of spellings) {
      for (const method of ['GET', 'POST']) {
        const res = await request(`http://127.0.0.1:${port}${spelling}`, { method });
        expect({ spelling, method, status: res.status, body: res.body }).toEqual({ spelling, method, status: 404, body: 'not found\n' });
      }
    }
    expect(app.seen.length).toBe(before);
    // Paths that only begin alike are the app's.
    for (const spelling of ['/-/reloaded', '/administrator', '/x/-/reload']) {
      const res = await request(`http://127.0.0.1:${port}${spelling}`);
      expect({ spelling, status: res.status }).toEqual({ spelling, status: 200 });
    }
    // The program inside the pod reaches the app's port directly, as git-sync or k8s-sidecar does.
    const direct = await request(`http://127.0.0.1:${app.port}/-/reload`, { method: 'POST' });
    expect(direct.status).toBe(200);
    expect(app.seen.at(-1)).toMatchObject({ method: 'POST', url: '/-/reload' });
  });
});

describe('nginx proxy, rate limit', () => {
  let root: string;
  let app: Awaited<ReturnType<typeof startEchoApp>>;
  let nginx: RunningNginx | undefined;
  let port: number;

  beforeAll(async () => {
    root = tempRoot('proxy-nginx-rate-');
    app = await startEchoApp();
    port = await freePort();
    // 1 request a second: a refill takes a second, far longer than the requests below take.
    const { layout } = synthesizeProxy(root, app.port, { port, rateLimit: { requestsPerSecond: 1, burst: 3 } });
    nginx = await startNginx(NGINX, layout, root, async () => (await request(`http://127.0.0.1:${port}/proxy-healthz`)).status === 200);
  });

  afterAll(async () => {
    await nginx?.stop();
    await app?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('accepts the burst, answers 429 beyond it without reaching the app, and never limits the health endpoint', async () => {
    const before = app.seen.length;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await request(`http://127.0.0.1:${port}/api/${i}`)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
    expect(app.seen.length - before).toBe(3);
    for (let i = 0; i < 5; i++) expect((await request(`http://127.0.0.1:${port}/proxy-healthz`)).status).toBe(200);
  });
});

describe('nginx proxy, TLS', () => {
  let root: string;
  let app: Awaited<ReturnType<typeof startEchoApp>>;
  let nginx: RunningNginx | undefined;
  let port: number;
  let ca: string;
  let layout: PodLayout;

  beforeAll(async () => {
    root = tempRoot('proxy-nginx-tls-');
    const certificate = selfSignedCertificate(root);
    ca = certificate.cert;
    app = await startEchoApp();
    port = await freePort();
    ({ layout } = synthesizeProxy(root, app.port, { port }, certificate));
    layOutLikeKubelet(layout.mounts.find((m) => m.mountPath === '/etc/proxy/tls')!.dir);
    nginx = await startNginx(NGINX, layout, root,
      async () => (await request(`https://127.0.0.1:${port}/proxy-healthz`, { ca })).status === 200);
  });

  afterAll(async () => {
    await nginx?.stop();
    await app?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('reads the certificate and key from the mounted TLS Secret, read-only', () => {
    const tls = layout.mounts.find((m) => m.mountPath === '/etc/proxy/tls')!;
    expect(tls.volume.secret).toBeDefined();
    expect(layout.container.volumeMounts.find((m: any) => m.mountPath === '/etc/proxy/tls').readOnly).toBe(true);
    // Laid out as the kubelet does: the keys are symlinks through ..data.
    expect(fs.readdirSync(tls.dir).filter((f) => !f.startsWith('..')).sort()).toEqual(['tls.crt', 'tls.key']);
    expect(fs.readlinkSync(path.join(tls.dir, 'tls.crt'))).toBe(path.join('..data', 'tls.crt'));
  });

  test('terminates TLS with the Secret\'s certificate and forwards to the app', async () => {
    const res = await request(`https://127.0.0.1:${port}/secure/path?k=v`, { headers: { 'x-custom': 'tls' }, ca });
    expect(res.status).toBe(200);
    const seen = JSON.parse(res.body);
    expect(seen.url).toBe('/secure/path?k=v');
    expect(seen.headers['x-custom']).toBe('tls');
    expect(seen.headers['x-forwarded-proto']).toBe('https');
  });

  test('speaks HTTP/2 to clients that negotiate it by ALPN', async () => {
    const session = http2.connect(`https://localhost:${port}`, { ca });
    try {
      const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = session.request({ ':path': '/over/h2?x=2', 'x-custom': 'h2' });
        let code = 0;
        let data = '';
        req.on('response', (h) => { code = Number(h[':status']); });
        req.setEncoding('utf8');
        req.on('data', (d) => { data += d; });
        req.on('end', () => resolve({ status: code, body: data }));
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(200);
      const seen = JSON.parse(body);
      expect(seen.url).toBe('/over/h2?x=2');
      expect(seen.headers['x-custom']).toBe('h2');
      expect(seen.headers.host).toBe(`localhost:${port}`);
    } finally {
      session.close();
    }
  });

  test('refuses a client that does not trust the certificate', async () => {
    await expect(request(`https://127.0.0.1:${port}/`)).rejects.toThrow(/self[- ]signed/);
  });
});

describe('nginx proxy, TLS certificate renewed in the Secret', () => {
  let root: string;
  let app: Awaited<ReturnType<typeof startEchoApp>>;
  let nginx: RunningNginx | undefined;
  let port: number;
  let first: { cert: string; key: string };
  let renewed: { cert: string; key: string };
  let tlsDir: string;

  beforeAll(async () => {
    root = tempRoot('proxy-nginx-renew-');
    first = selfSignedCertificate(root, 'first');
    renewed = selfSignedCertificate(root, 'renewed');
    app = await startEchoApp();
    port = await freePort();
    const { layout } = synthesizeProxy(root, app.port, { port }, first);
    tlsDir = layout.mounts.find((m) => m.mountPath === '/etc/proxy/tls')!.dir;
    layOutLikeKubelet(tlsDir);
    nginx = await startNginx(NGINX, layout, root,
      async () => (await request(`https://127.0.0.1:${port}/proxy-healthz`, { ca: first.cert })).status === 200);
  });

  afterAll(async () => {
    await nginx?.stop();
    await app?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('serves the new certificate on the next handshake after the kubelet swaps ..data, without a reload or restart', async () => {
    const ca = [first.cert, renewed.cert];
    const firstPrint = new X509Certificate(first.cert).fingerprint256;
    const renewedPrint = new X509Certificate(renewed.cert).fingerprint256;
    expect(await servedCertificate(port, ca)).toBe(firstPrint);

    // A connection opened before the renewal, kept alive across it.
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca });
    const get = (p: string) => new Promise<{ status: number; socket: unknown }>((resolve, reject) => {
      const req = https.get(`https://127.0.0.1:${port}${p}`, { agent, servername: 'localhost' }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode!, socket: req.socket }));
      });
      req.on('error', reject);
    });
    const before = await get('/before');

    const pid = nginx!.process.pid;
    updateLikeKubelet(tlsDir, { 'tls.crt': renewed.cert, 'tls.key': renewed.key });
    expect(await servedCertificate(port, ca)).toBe(renewedPrint);
    expect(await servedCertificate(port, ca)).toBe(renewedPrint);

    // The old connection goes on; nginx never restarted or reloaded.
    const after = await get('/after');
    expect(after.status).toBe(200);
    expect(after.socket).toBe(before.socket);
    agent.destroy();
    expect(nginx!.process.pid).toBe(pid);
    expect(nginx!.process.exitCode).toBeNull();
    expect(nginx!.stderr()).not.toMatch(/reconfiguring|signal/);
    expect(app.seen.map((r) => r.url)).toEqual(expect.arrayContaining(['/before', '/after']));
  });
});

describe('nginx proxy behind one trusted proxy (trustedProxyHops: 1)', () => {
  let root: string;
  let app: Awaited<ReturnType<typeof startEchoApp>>;
  let nginx: RunningNginx | undefined;
  let port: number;

  beforeAll(async () => {
    root = tempRoot('proxy-nginx-hops-');
    app = await startEchoApp();
    port = await freePort();
    const { layout } = synthesizeProxy(root, app.port, { port, trustedProxyHops: 1 });
    nginx = await startNginx(NGINX, layout, root, async () => (await request(`http://127.0.0.1:${port}/proxy-healthz`)).status === 200);
  });

  afterAll(async () => {
    await nginx?.stop();
    await app?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('takes the client from the last X-Forwarded-For entry and keeps X-Forwarded-Proto, as the ingress set them', async () => {
    const res = await request(`http://127.0.0.1:${port}/behind`, {
      headers: { 'x-forwarded-for': '198.51.100.1, 203.0.113.7', 'x-forwarded-proto': 'https' },
    });
    const seen = JSON.parse(res.body);
    expect(seen.headers['x-real-ip']).toBe('203.0.113.7');
    // The ingress's own address (the peer) appended, as Envoy appends it.
    expect(seen.headers['x-forwarded-for']).toBe('198.51.100.1, 203.0.113.7, 127.0.0.1');
    expect(seen.headers['x-forwarded-proto']).toBe('https');
    await sleep(100);
    expect(nginx!.stdout()).toMatch(/^203\.0\.113\.7 - - \[[^\]]+\] "GET \/behind HTTP\/1\.1" 200 /m);
  });

  test('without the headers, the peer and the proxy\'s own scheme', async () => {
    const seen = JSON.parse((await request(`http://127.0.0.1:${port}/direct`)).body);
    expect(seen.headers['x-real-ip']).toBe('127.0.0.1');
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen.headers['x-forwarded-proto']).toBe('http');
  });
});

describe('nginx proxy, gRPC upstream over HTTP/2 cleartext', () => {
  let root: string;
  let nginx: RunningNginx | undefined;
  let server: http2.Http2Server;
  let port: number;
  const seen: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    root = tempRoot('proxy-nginx-grpc-');
    // A stand-in gRPC server: h2c, answers with gRPC's framing and trailers.
    server = http2.createServer();
    server.on('stream', (stream, headers) => {
      seen.push({ ...headers });
      stream.on('data', () => undefined);
      stream.on('end', () => {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'grpc-message': 'OK' }));
        stream.end(Buffer.from([0, 0, 0, 0, 0]));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = await freePort();
    const { layout } = synthesizeProxy(root, (server.address() as net.AddressInfo).port, { port, upstreamProtocol: UpstreamProtocol.GRPC });
    const ready = () => new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => { socket.destroy(); resolve(true); });
      socket.on('error', () => resolve(false));
    });
    nginx = await startNginx(NGINX, layout, root, ready);
  });

  afterAll(async () => {
    await nginx?.stop();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('forwards a gRPC call with grpc_pass and returns the trailers', async () => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    try {
      const result = await new Promise<{ status: number; trailers: http2.IncomingHttpHeaders }>((resolve, reject) => {
        const req = session.request({
          ':method': 'POST', ':path': '/acme.Greeter/SayHello', 'content-type': 'application/grpc', 'te': 'trailers',
        });
        let status = 0;
        req.on('response', (h) => { status = Number(h[':status']); });
        req.on('trailers', (trailers) => resolve({ status, trailers }));
        req.on('data', () => undefined);
        req.on('error', reject);
        req.end(Buffer.from([0, 0, 0, 0, 0]));
      });
      expect(result.status).toBe(200);
      expect(result.trailers['grpc-status']).toBe('0');
      expect(seen.at(-1)?.[':path']).toBe('/acme.Greeter/SayHello');
      expect(seen.at(-1)?.['x-forwarded-for']).toBe('127.0.0.1');
    } finally {
      session.close();
    }
  });
});

describe('nginx configuration across versions', () => {
  test('the pinned image (1.30) switches HTTP/2 on with the http2 directive and caches the certificate (1.27.4+), older nginx has the listen parameter; nothing else differs', () => {
    const render = (image?: string) => {
      const { app, chart } = newApp();
      const web = new kplus.Deployment(chart, 'web', { containers: [{ name: 'app', image: 'ghcr.io/acme/web:1.4.2', portNumber: 8080 }] });
      const secret = new kplus.TlsSecret(chart, 'tls', { tlsCert: 'c', tlsKey: 'k' });
      const proxy = withProxy(web, { engine: ProxyEngine.NGINX, tls: { secret }, ...(image ? { image } : {}) });
      void app;
      return proxy.config;
    };
    const pinned = render();
    const old = render('docker.io/nginxinc/nginx-unprivileged:1.22.1');
    expect(pinned).toContain('        listen 8443 ssl;\n        http2 on;\n');
    expect(old).toContain('        listen 8443 ssl http2;\n');
    expect(old).not.toContain('http2 on;');
    const cache = '        # Parsed once, checked against the files again after 60 s.\n        ssl_certificate_cache max=8 inactive=1h valid=60s;\n';
    expect(pinned).toContain(cache);
    expect(old).not.toContain('ssl_certificate_cache');
    expect(pinned.replace('listen 8443 ssl;\n        http2 on;', 'X').replace(cache, '')).toBe(old.replace('listen 8443 ssl http2;', 'X'));
  });
});
