/**
 * A real kube-apiserver (with its etcd) on loopback for the suites under test/real/, and a small
 * client for them.
 *
 * The jest global setup (test/util/global-setup.ts) starts both programs once per run, built by
 * tools/kube/build.sh (versions pinned in tools/kube/go.mod), and writes how to reach the server to
 * a JSON file named by the environment variable `CDK8S_SIDECARS_KUBE_API`; the test workers inherit
 * that variable. The server runs with Pod Security admission on, and the setup creates one namespace
 * that enforces, warns and audits the "restricted" profile.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

/** How the test suites reach the server: written to the file named by {@link KUBE_API_ENV}. */
export interface KubeApiInfo {
  /** https://127.0.0.1:<port> */
  readonly url: string;
  /** A static bearer token of a member of system:masters. */
  readonly token: string;
  /** The server's self-signed serving certificate (PEM), the only certificate to trust. */
  readonly ca: string;
  /** The namespace labelled pod-security.kubernetes.io/{enforce,warn,audit}=restricted. */
  readonly namespace: string;
  /** `gitVersion` of the server's /version. */
  readonly kubernetesVersion: string;
  /** The etcd version the server stores in. */
  readonly etcdVersion: string;
}

/** Names the JSON file with the {@link KubeApiInfo} of the running server. */
export const KUBE_API_ENV = 'CDK8S_SIDECARS_KUBE_API';

/** Set (to anything but "" or "0") by `test:fast`: the run starts no real program. */
export const FAST_ENV = 'CDK8S_SIDECARS_FAST';

/** The namespace the setup creates, enforcing "restricted". */
export const RESTRICTED_NAMESPACE = 'restricted';

const ROOT = path.resolve(__dirname, '..', '..');
const START_TIMEOUT_MS = 180_000;

/** A started server: its info, and how to stop it (idempotent). */
export interface RunningKubeApi {
  readonly info: KubeApiInfo;
  readonly infoFile: string;
  stop(): Promise<void>;
}

/** Builds (if needed) and starts etcd and kube-apiserver; resolves when /readyz says ok. */
export async function startKubeApi(): Promise<RunningKubeApi> {
  const [apiserverBin, etcdBin] = toolPaths();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-sidecars-kube-'));
  const children: ChildProcess[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', killNow);
    // The server first, then its store.
    for (const child of [...children].reverse()) await terminate(child);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  // If jest exits without the teardown (a crash, process.exit), take both programs with it.
  // setpriv --pdeathsig covers a jest killed by a signal, when util-linux is there.
  const killNow = () => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL'));
  process.on('exit', killNow);

  try {
    const token = crypto.randomBytes(24).toString('hex');
    const files = writeCredentials(dir, token);
    const [etcdClient, etcdPeer, apiPort] = await freePorts(3);

    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    children.push(launch(dir, 'etcd', etcdBin, [
      '--name=test',
      `--data-dir=${path.join(dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=test=http://127.0.0.1:${etcdPeer}`,
      '--unsafe-no-fsync', // a throwaway store: no fsync on every write
      '--log-level=warn',
    ]));
    await waitFor('etcd', children[0], dir, async () => {
      const res = await get(`${etcdUrl}/health`);
      return res.status === 200 && JSON.parse(res.body).health === 'true';
    });

    const url = `https://127.0.0.1:${apiPort}`;
    children.push(launch(dir, 'kube-apiserver', apiserverBin, [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      // No Endpoints for the "kubernetes" Service: the reconciler refuses a loopback address, and no pod runs here.
      '--endpoint-reconciler-type=none',
      `--secure-port=${apiPort}`,
      `--tls-cert-file=${files.cert}`,
      `--tls-private-key-file=${files.key}`,
      `--token-auth-file=${files.tokens}`,
      '--authorization-mode=RBAC', // the token's group, system:masters, may do anything
      // Pod Security is on by default; name it so that a changed default cannot switch it off.
      '--enable-admission-plugins=PodSecurity',
      // As real clusters run (kubeadm): privileged pods are then refused by Pod Security, the
      // check under test, and not by the server's own --allow-privileged=false.
      '--allow-privileged=true',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${files.saPublic}`,
      `--service-account-signing-key-file=${files.saPrivate}`,
      '--service-cluster-ip-range=10.96.0.0/16',
      `--cert-dir=${path.join(dir, 'certs')}`,
      '--profiling=false',
      '--v=0',
    ]));
    const ca = fs.readFileSync(files.cert, 'utf8');
    const client = new KubeApi({ url, token, ca, namespace: RESTRICTED_NAMESPACE, kubernetesVersion: '', etcdVersion: '' });
    try {
      await waitFor('kube-apiserver', children[1], dir, async () => {
        const res = await client.request('GET', '/readyz');
        return res.status === 200 && res.body.trim() === 'ok';
      });

      const version = JSON.parse((await client.request('GET', '/version')).body).gitVersion as string;
      const etcdVersion = JSON.parse((await get(`${etcdUrl}/version`)).body).etcdserver as string;

      // The namespace under test; Pods also need its "default" ServiceAccount to exist (the
      // ServiceAccount admission plugin looks it up; no controller manager runs here to create it).
      const level = 'restricted';
      await client.mustCreate({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: RESTRICTED_NAMESPACE,
          labels: {
            'pod-security.kubernetes.io/enforce': level,
            'pod-security.kubernetes.io/enforce-version': 'latest',
            'pod-security.kubernetes.io/warn': level,
            'pod-security.kubernetes.io/warn-version': 'latest',
            'pod-security.kubernetes.io/audit': level,
            'pod-security.kubernetes.io/audit-version': 'latest',
          },
        },
      });
      await client.mustCreate({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: RESTRICTED_NAMESPACE } });

      const info: KubeApiInfo = { url, token, ca, namespace: RESTRICTED_NAMESPACE, kubernetesVersion: version, etcdVersion };
      const infoFile = path.join(dir, 'kube-api.json');
      fs.writeFileSync(infoFile, JSON.stringify(info, null, 2), { mode: 0o600 });
      return { info, infoFile, stop };
    } finally {
      client.close();
    }
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The info of the server the global setup started, for a suite under test/real/. */
export function runningKubeApi(): KubeApiInfo {
  const file = process.env[KUBE_API_ENV];
  if (!file || !fs.existsSync(file)) {
    const why = isFast()
      ? `${FAST_ENV} is set, so the global setup started no real program; run the suites under test/real/ without it`
      : 'the jest global setup (test/util/global-setup.ts) did not start one; run jest with the project configuration';
    throw new Error(`no kube-apiserver for this run: ${why}`);
  }
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

export function isFast(): boolean {
  const value = process.env[FAST_ENV];
  return value !== undefined && value !== '' && value !== '0';
}

/** A response: status, body text, and the messages of its `Warning` headers. */
export interface KubeResponse {
  readonly status: number;
  readonly body: string;
  readonly warnings: string[];
}

/** Requests to the server, at most `maxSockets` in flight. */
export class KubeApi {
  private readonly agent: https.Agent;
  private readonly resources = new Map<string, Promise<Map<string, { name: string; namespaced: boolean }>>>();

  constructor(readonly info: KubeApiInfo, maxSockets = 8) {
    this.agent = new https.Agent({ ca: info.ca, keepAlive: true, maxSockets });
  }

  close(): void {
    this.agent.destroy();
  }

  request(method: string, urlPath: string, body?: unknown): Promise<KubeResponse> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = https.request(new URL(urlPath, this.info.url), {
        method,
        agent: this.agent,
        headers: {
          Authorization: `Bearer ${this.info.token}`,
          Accept: 'application/json',
          ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {}),
        },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          warnings: (res.headersDistinct.warning ?? []).map(warningText),
        }));
      });
      req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${urlPath}: no answer in 60 s`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /**
   * POSTs `manifest` into the restricted namespace (cluster-scoped kinds: as they are), with
   * `fieldValidation=Strict` (unknown or duplicate fields are errors), and `dryRun=All` unless
   * `persist` (nothing is stored).
   */
  async create(manifest: any, options: { persist?: boolean } = {}): Promise<KubeResponse> {
    const { collection, namespaced } = await this.collectionOf(manifest);
    const object = namespaced ? { ...manifest, metadata: { ...manifest.metadata, namespace: this.info.namespace } } : manifest;
    const query = `fieldValidation=Strict${options.persist ? '' : '&dryRun=All'}`;
    return this.request('POST', `${collection}?${query}`, object);
  }

  /** Deletes an object created with `persist`. */
  async remove(manifest: any): Promise<KubeResponse> {
    const { collection } = await this.collectionOf(manifest);
    return this.request('DELETE', `${collection}/${encodeURIComponent(manifest.metadata.name)}`);
  }

  /** The URL path of a manifest's collection (in the restricted namespace when namespaced). */
  private async collectionOf(manifest: any): Promise<{ collection: string; namespaced: boolean }> {
    const { name: resource, namespaced } = await this.resourceOf(manifest.apiVersion, manifest.kind);
    const base = manifest.apiVersion.includes('/') ? `/apis/${manifest.apiVersion}` : `/api/${manifest.apiVersion}`;
    return { collection: namespaced ? `${base}/namespaces/${this.info.namespace}/${resource}` : `${base}/${resource}`, namespaced };
  }

  /** Creates for real; throws on any rejection or warning. */
  async mustCreate(manifest: any): Promise<void> {
    const res = await this.create(manifest, { persist: true });
    if (res.status !== 201 || res.warnings.length > 0) {
      throw new Error(`creating ${manifest.kind} ${manifest.metadata?.name}: HTTP ${res.status} ${res.body} ${res.warnings.join('; ')}`);
    }
  }

  /** The resource (plural) of a kind, from the server's discovery documents. */
  private async resourceOf(apiVersion: string, kind: string): Promise<{ name: string; namespaced: boolean }> {
    if (!this.resources.has(apiVersion)) {
      this.resources.set(apiVersion, (async () => {
        const res = await this.request('GET', apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`);
        if (res.status !== 200) throw new Error(`discovery of ${apiVersion}: HTTP ${res.status} ${res.body}`);
        const byKind = new Map<string, { name: string; namespaced: boolean }>();
        for (const r of JSON.parse(res.body).resources as any[]) {
          if (!r.name.includes('/')) byKind.set(r.kind, { name: r.name, namespaced: r.namespaced });
        }
        return byKind;
      })());
    }
    const found = (await this.resources.get(apiVersion)!).get(kind);
    if (!found) throw new Error(`the server serves no ${kind} in ${apiVersion}`);
    return found;
  }
}

/** The text of one `Warning` header: `299 - "text"` (RFC 7234 §5.5, as the API server writes it). */
function warningText(header: string): string {
  const m = /^\d{3} \S+ "((?:[^"\\]|\\.)*)"/.exec(header);
  return m ? m[1].replace(/\\(.)/g, '$1') : header;
}

/** Runs `work` over `items`, `limit` at a time, keeping the order of the results. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

// ---- starting the programs ----

/** tools/kube/build.sh prints the paths of kube-apiserver and etcd last (building them if needed). */
function toolPaths(): [string, string] {
  const out = execFileSync('bash', [path.join(ROOT, 'tools', 'kube', 'build.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = out.trim().split('\n');
  const [apiserver, etcd] = lines.slice(-2);
  for (const bin of [apiserver, etcd]) {
    if (!bin || !path.isAbsolute(bin) || !fs.existsSync(bin)) throw new Error(`tools/kube/build.sh printed no binary paths: ${out}`);
  }
  return [apiserver, etcd];
}

interface Credentials { cert: string; key: string; tokens: string; saPrivate: string; saPublic: string }

function writeCredentials(dir: string, token: string): Credentials {
  const files: Credentials = {
    cert: path.join(dir, 'serving.crt'),
    key: path.join(dir, 'serving.key'),
    tokens: path.join(dir, 'tokens.csv'),
    saPrivate: path.join(dir, 'sa.key'),
    saPublic: path.join(dir, 'sa.pub'),
  };
  // A self-signed serving certificate for 127.0.0.1, valid for two days.
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', files.key, '-out', files.cert, '-days', '2',
    '-subj', '/CN=cdk8s-sidecars-test-apiserver', '-addext', 'subjectAltName=IP:127.0.0.1',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  // --token-auth-file: token,user,uid,"groups"
  fs.writeFileSync(files.tokens, `${token},admin,admin,"system:masters"\n`, { mode: 0o600 });
  // The key pair service-account tokens are signed with (the server requires one).
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  fs.writeFileSync(files.saPrivate, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  fs.writeFileSync(files.saPublic, publicKey.export({ type: 'spki', format: 'pem' }));
  return files;
}

/** Starts a program, its output to <dir>/<name>.log; under `setpriv --pdeathsig` when available. */
function launch(dir: string, name: string, bin: string, args: string[]): ChildProcess {
  const log = fs.openSync(path.join(dir, `${name}.log`), 'a');
  const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => fs.existsSync(p));
  const [command, argv] = setpriv ? [setpriv, ['--pdeathsig', 'KILL', '--', bin, ...args]] : [bin, args];
  const child = spawn(command, argv, { stdio: ['ignore', log, log], cwd: dir });
  fs.closeSync(log);
  child.on('error', () => undefined); // reported by waitFor through the exit code
  return child;
}

async function waitFor(name: string, child: ChildProcess, dir: string, ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) while starting:\n${tail(dir, name)}`);
    }
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${name} not ready after ${START_TIMEOUT_MS / 1000} s:\n${tail(dir, name)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function tail(dir: string, name: string): string {
  const file = path.join(dir, `${name}.log`);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').slice(-40).join('\n') : '(no log)';
}

/** SIGTERM, then SIGKILL after 10 s; resolves once the process is gone. */
async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await gone;
  clearTimeout(timer);
}

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => new Promise<net.Server>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  })));
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => body += c);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.setTimeout(5_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}
