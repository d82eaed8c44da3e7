/**
 * withSecretsAgent against the real Vault Agent: the configuration a workload synthesizes, with
 * its paths remapped to a temporary folder, run by `vault agent` against `vault server -dev` on
 * 127.0.0.1.
 *
 * - As generated (Kubernetes auth): the agent takes the file and logs in at the generated auth
 *   mount with the role; Vault refuses the login (there is no Kubernetes API here to review the
 *   token), which proves the stanza was read, not that a cluster would accept it.
 * - The same file with the login swapped for a `token_file` method (the only change besides
 *   paths): the templates render KV v2 fields, a whole secret as JSON, KV v1 and a raw template,
 *   with their perms; `exit_after_auth` renders and exits 0; the long-running agent re-renders a
 *   changed secret after renderInterval and runs the reload command, busybox `wget --post-data`
 *   (Debian's busybox stands for the image's), which POSTs to a loopback receiver; the cache
 *   listener answers with the agent's token.
 *
 * Every wait is bounded; every process and server is stopped in afterAll.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { ConfigReload, SecretsAgentOptions, SecretTemplate, VAULT_IMAGE, withSecretsAgent } from '../../lib';
import { find, newApp, synth } from '../util/synth';
import { APP } from '../workloads';
import { Listening, waitFor, webhookReceiver, WebhookReceiver } from './git-http';
import { ROOT, tryBuildTool } from './tools';

const VAULT = tryBuildTool('vault');
const BUSYBOX = ['/usr/bin/busybox', '/bin/busybox'].find((p) => fs.existsSync(p));
const ROOT_TOKEN = 'root-token-for-the-test';

test('tools/vault provides the version of the image withSecretsAgent runs', () => {
  const buildScript = fs.readFileSync(path.join(ROOT, 'tools', 'vault', 'build.sh'), 'utf8');
  expect(/^version=(\S+)/m.exec(buildScript)?.[1]).toBe(VAULT_IMAGE.tag);
});

const children = new Set<ChildProcess>();
const servers: Listening[] = [];
const folders: string[] = [];
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(servers.map((s) => s.close()));
  for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function tempRoot(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-agent-'));
  folders.push(root);
  return root;
}

interface Running {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

function start(args: string[], env: NodeJS.ProcessEnv): Running {
  const child = spawn((VAULT as { bin: string }).bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  child.stdout!.on('data', (d) => { output += d; });
  child.stderr!.on('data', (d) => { output += d; });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    children.delete(child);
    resolve(code);
  }));
  return { child, output: () => output, exited };
}

/** A request to the dev server (or the agent's listener), JSON in and out. */
function vaultApi(
  port: number, method: string, apiPath: string, body?: unknown, token: string | undefined = ROOT_TOKEN,
): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request({
      host: '127.0.0.1',
      port,
      method,
      path: `/v1/${apiPath}`,
      timeout: 5000,
      headers: { ...(token ? { 'X-Vault-Token': token } : {}), ...(data ? { 'Content-Type': 'application/json' } : {}) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(data);
  });
}

/** The agent's configuration files as a Deployment with these options synthesizes them. */
function synthesizeAgent(options: Omit<SecretsAgentOptions, 'address' | 'role'> & Partial<SecretsAgentOptions>, appPort = 8080) {
  const { app, chart } = newApp();
  const web = new kplus.Deployment(chart, 'web', { containers: [{ ...APP, ports: [{ number: appPort }] }] });
  const agent = withSecretsAgent(web, { address: 'http://vault.vault.svc:8200', role: 'web', ...options });
  const { manifests } = synth(app);
  const data = find(manifests, 'ConfigMap', 'vault-agent-config').data as Record<string, string>;
  return { agent, configs: Object.fromEntries(Object.entries(data).map(([file, text]) => [file, JSON.parse(text)])) };
}

/**
 * The configuration with its paths remapped under `root` (the folder, the token), the Vault
 * address pointed at the dev server, and, with `tokenFile`, the login swapped for token_file.
 */
function remap(config: any, root: string, vaultPort: number, options: { tokenFile?: string; cachePort?: number } = {}): string {
  const copy = JSON.parse(JSON.stringify(config));
  copy.vault.address = `http://127.0.0.1:${vaultPort}`;
  if (options.tokenFile) {
    copy.auto_auth.method = { type: 'token_file', config: { token_file_path: options.tokenFile } };
  } else {
    copy.auto_auth.method.config.token_path = path.join(root, 'token');
  }
  for (const t of copy.template) t.destination = t.destination.replace(/^\/vault\/secrets\//, `${root}/secrets/`);
  if (options.cachePort !== undefined) copy.listener[0].tcp.address = `127.0.0.1:${options.cachePort}`;
  const file = path.join(root, 'agent.json');
  fs.writeFileSync(file, JSON.stringify(copy, undefined, 2));
  return file;
}

if ('unavailable' in VAULT || !BUSYBOX) {
  const reason = 'unavailable' in VAULT ? VAULT.unavailable : 'busybox is not installed (apt-get install busybox): the reload command runs busybox wget';
  if (process.env.CDK8S_SIDECARS_REQUIRE_VAULT === '1') {
    test('Vault is required (CDK8S_SIDECARS_REQUIRE_VAULT=1) and available', () => {
      throw new Error(reason);
    });
  } else {
    console.warn(`test/real/vault-agent.test.ts: the real Vault Agent is unavailable, its tests are skipped:\n${reason}`);
    test.skip(`SKIPPED, the real Vault Agent is unavailable here: ${reason.split('\n')[0]}`, () => undefined);
  }
} else {
  let vaultPort: number;
  let receiver: WebhookReceiver;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const home = tempRoot();
    // busybox wget and timeout, first on the PATH the agent hands its commands, as in the image.
    fs.mkdirSync(path.join(home, 'bin'));
    for (const applet of ['wget', 'timeout']) fs.symlinkSync(BUSYBOX!, path.join(home, 'bin', applet));
    env = { PATH: `${path.join(home, 'bin')}:/usr/bin:/bin`, HOME: home };
    vaultPort = await freePort();
    const server = start(['server', '-dev', `-dev-root-token-id=${ROOT_TOKEN}`, `-dev-listen-address=127.0.0.1:${vaultPort}`], env);
    await waitFor('vault server -dev', 30_000, async () => {
      const health = await vaultApi(vaultPort, 'GET', 'sys/health', undefined, undefined).catch(() => undefined);
      return health?.status === 200 ? true : undefined;
    }).catch((e) => { throw new Error(`${e.message}\n${server.output()}`); });
    // KV v2 at secret/ comes with -dev; a KV v1 mount and a Kubernetes auth mount without config.
    expect((await vaultApi(vaultPort, 'POST', 'secret/data/web/api', { data: { 'key': 'k-1', 'api-key': 'a-1' } })).status).toBe(200);
    expect((await vaultApi(vaultPort, 'POST', 'sys/mounts/kv1', { type: 'kv', options: { version: '1' } })).status).toBe(204);
    expect((await vaultApi(vaultPort, 'POST', 'kv1/web/db', { password: 'p-1' })).status).toBe(204);
    expect((await vaultApi(vaultPort, 'POST', 'sys/auth/k8s-prod', { type: 'kubernetes' })).status).toBe(204);
    receiver = await webhookReceiver();
    servers.push(receiver);
  }, 60_000);


  test('as generated: the agent reads the Kubernetes auth stanza and logs in at the auth mount with the role', async () => {
    const root = tempRoot();
    const { configs } = synthesizeAgent({ authPath: 'auth/k8s-prod', secrets: [{ path: 'api-key', template: SecretTemplate.kv({ path: 'web/api', field: 'key' }) }] });
    fs.writeFileSync(path.join(root, 'token'), 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2ln');
    const file = remap(configs['agent.json'], root, vaultPort);
    const agent = start(['agent', `-config=${file}`], env);
    const seen = await waitFor('the agent to try the Kubernetes login', 20_000, () => (/auth\/k8s-prod\/login/.test(agent.output()) ? agent.output() : undefined))
      .catch((e) => { throw new Error(`${e.message}\n${agent.output()}`); });
    agent.child.kill('SIGTERM');
    expect(seen).toContain('PUT http://127.0.0.1');
    expect(seen).not.toMatch(/error loading configuration|error parsing/i);
  }, 30_000);

  test('exit_after_auth: the one-time render writes every file with its perms, then exits 0', async () => {
    const root = tempRoot();
    const { configs } = synthesizeAgent({
      prePopulateOnly: true,
      secrets: [
        { path: 'api-key', template: SecretTemplate.kv({ path: 'web/api', field: 'key' }) },
        { path: 'dashed', template: SecretTemplate.kv({ path: 'web/api', field: 'api-key' }), perms: 0o440 },
        { path: 'all/api.json', template: SecretTemplate.kv({ path: 'web/api' }) },
        { path: 'v1', template: SecretTemplate.kv({ mount: 'kv1', path: 'web/db', field: 'password', kvVersion: 1 }) },
        { path: 'raw.env', template: SecretTemplate.raw('{{ with secret "secret/data/web/api" }}API_KEY={{ .Data.data.key }}{{ end }}\n') },
      ],
    });
    expect(Object.keys(configs)).toEqual(['agent-init.json']);
    fs.writeFileSync(path.join(root, 'vault-token'), ROOT_TOKEN);
    const file = remap(configs['agent-init.json'], root, vaultPort, { tokenFile: path.join(root, 'vault-token') });
    const agent = start(['agent', `-config=${file}`], env);
    const code = await Promise.race([agent.exited, new Promise((resolve) => setTimeout(() => resolve('timeout'), 30_000))]);
    expect({ code, output: code === 0 ? '' : agent.output() }).toEqual({ code: 0, output: '' });
    const read = (f: string) => fs.readFileSync(path.join(root, 'secrets', f), 'utf8');
    expect(read('api-key')).toBe('k-1');
    expect(read('dashed')).toBe('a-1');
    expect(JSON.parse(read('all/api.json'))).toEqual({ 'key': 'k-1', 'api-key': 'a-1' });
    expect(read('v1')).toBe('p-1');
    expect(read('raw.env')).toBe('API_KEY=k-1\n');
    const mode = (f: string) => fs.statSync(path.join(root, 'secrets', f)).mode % 0o1000;
    expect([mode('api-key'), mode('dashed')]).toEqual([0o640, 0o440]);
  }, 40_000);

  test('the long-running agent: renders, re-renders a changed secret, POSTs to the app after each, serves the cache', async () => {
    const root = tempRoot();
    const { configs } = synthesizeAgent({
      renderInterval: Duration.seconds(1),
      cache: true,
      reload: ConfigReload.httpPost({ port: receiver.port, path: '/-/reload' }),
      secrets: [{ path: 'api-key', template: SecretTemplate.kv({ path: 'web/api', field: 'key' }) }],
    }, receiver.port);
    fs.writeFileSync(path.join(root, 'vault-token'), ROOT_TOKEN);
    const cachePort = await freePort();
    const file = remap(configs['agent.json'], root, vaultPort, { tokenFile: path.join(root, 'vault-token'), cachePort });
    const agent = start(['agent', `-config=${file}`], env);
    const target = path.join(root, 'secrets', 'api-key');
    const fail = (e: Error) => { throw new Error(`${e.message}\n${agent.output()}`); };
    await waitFor('the first render', 20_000, () => (fs.existsSync(target) && fs.readFileSync(target, 'utf8') === 'k-1' ? true : undefined)).catch(fail);
    await waitFor('the reload POST after the first render', 10_000, () => (receiver.hooks.length >= 1 ? true : undefined)).catch(fail);
    const before = receiver.hooks.length;

    expect((await vaultApi(vaultPort, 'POST', 'secret/data/web/api', { data: { 'key': 'k-2', 'api-key': 'a-2' } })).status).toBe(200);
    await waitFor('the re-render', 20_000, () => (fs.readFileSync(target, 'utf8') === 'k-2' ? true : undefined)).catch(fail);
    await waitFor('the reload POST after the re-render', 10_000, () => (receiver.hooks.length > before ? true : undefined)).catch(fail);
    expect(receiver.hooks.every((h) => h.method === 'POST' && h.path === '/-/reload')).toBe(true);

    // The cache listener adds the agent's token: no token in the request.
    const read = await vaultApi(cachePort, 'GET', 'secret/data/web/api', undefined, undefined);
    expect({ status: read.status, key: read.json?.data?.data?.key }).toEqual({ status: 200, key: 'k-2' });
    agent.child.kill('SIGTERM');
    await Promise.race([agent.exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  }, 90_000);

  test('the reload command never fails the agent when the app is not up yet', async () => {
    const root = tempRoot();
    const deadPort = await freePort();
    const { configs } = synthesizeAgent({
      reload: ConfigReload.httpPost({ port: deadPort, path: '/-/reload' }),
      secrets: [{ path: 'api-key', template: SecretTemplate.kv({ path: 'web/api', field: 'key' }) }],
    }, deadPort);
    fs.writeFileSync(path.join(root, 'vault-token'), ROOT_TOKEN);
    const file = remap(configs['agent.json'], root, vaultPort, { tokenFile: path.join(root, 'vault-token') });
    const agent = start(['agent', `-config=${file}`], env);
    const fail = (e: Error) => { throw new Error(`${e.message}\n${agent.output()}`); };
    await waitFor('the first render', 20_000, () => (fs.existsSync(path.join(root, 'secrets', 'api-key')) ? true : undefined)).catch(fail);
    await waitFor('the failed POST to be reported', 10_000, () => (agent.output().includes('reload POST to') ? true : undefined)).catch(fail);
    // Still running two seconds later.
    const code = await Promise.race([agent.exited, new Promise((resolve) => setTimeout(() => resolve('running'), 2000))]);
    expect(code).toBe('running');
    agent.child.kill('SIGTERM');
  }, 40_000);
}
