/**
 * The `cdk8s-sidecars check` command, built with the project's compiler options and run as a
 * user runs it (`node <bin>` with files, folders or standard input), on the YAML Helm, kustomize
 * and kubectl write.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
// Inside the project, so that the built command finds its dependency (yaml) as an installed one does.
const OUT = path.join(ROOT, 'node_modules', '.cache', 'cdk8s-sidecars-check-test');
const BIN = path.join(OUT, 'check', 'cli.js');

beforeAll(() => {
  fs.rmSync(OUT, { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.json'), '--outDir', OUT], { cwd: ROOT });
}, 120_000);

function run(args: string[], input?: string): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8' });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

function folder(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-sidecars-check-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
    - port: 80
`;

/** A pod no helper touched, with a port clash: the app and an exporter on 8080. */
const CLASH = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: app
          image: ghcr.io/acme/web:1.4.2
          ports: [{ containerPort: 8080, name: http }]
        - name: exporter
          image: ghcr.io/acme/exporter:2.0.0
          ports: [{ containerPort: 8080, name: metrics }]
`;

const SOUND = CLASH.replace('containerPort: 8080, name: metrics', 'containerPort: 9102, name: metrics');

describe('cdk8s-sidecars check', () => {
  test('passes sound YAML, counting the objects that hold no pod template, and writes nothing', () => {
    const dir = folder({ 'all.yaml': `${SERVICE}---\n${SOUND}---\n` });
    const before = fs.readdirSync(dir);
    const { code, stdout } = run(['check', dir]);
    expect({ code, stdout }).toEqual({ code: 0, stdout: 'no problems in 1 pod template (2 documents in 1 file; skipped, holding no pod template: Service 1)\n' });
    expect(fs.readdirSync(dir)).toEqual(before);
  });

  test('fails on a port clash in a pod no helper touched, naming file, line, document, resource, rule and fix', () => {
    const dir = folder({ 'chart/templates.yaml': `${SERVICE}---\n${CLASH}` });
    const { code, stdout } = run(['check', dir]);
    expect(code).toBe(1);
    expect(stdout).toBe(`${path.join(dir, 'chart/templates.yaml')}:9: error ports: Deployment shop/web (document 2): port 8080/TCP: container "app" `
      + '[containerPort "http"] and container "exporter" [containerPort "metrics"] both listen on it, and the containers of a pod share one network namespace\n'
      + '  fix: give one of them another port\n'
      + '1 problem in 1 pod template (2 documents in 1 file; skipped, holding no pod template: Service 1)\n');
  });

  test('reads standard input and kubectl\'s kind: List; --format json for CI', () => {
    const list = `apiVersion: v1\nkind: List\nitems:\n${[SOUND, CLASH].map((d) => `  - ${d.split('\n').join('\n    ')}`).join('\n')}\n`;
    const { code, stdout } = run(['check', '--format', 'json', '-'], list);
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report).toEqual(expect.objectContaining({ files: 1, documents: 1, pods: 2, skipped: {}, parseErrors: [] }));
    expect(report.findings).toEqual([expect.objectContaining({
      file: '<stdin>',
      line: 1,
      documentIndex: 0,
      itemIndex: 1,
      path: 'items[1].spec.template.spec',
      rule: 'ports',
      severity: 'error',
      resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' },
      fix: 'give one of them another port',
    })]);
  });

  test('finds the clash of the app with a port an Istio proxy binds without declaring it, with --restricted on top', () => {
    const injected = SOUND.replace('        - name: exporter\n          image: ghcr.io/acme/exporter:2.0.0\n          ports: [{ containerPort: 9102, name: metrics }]\n',
      '        - name: istio-proxy\n          image: docker.io/istio/proxyv2:1.24.0\n          args: [proxy, sidecar]\n').replace('containerPort: 8080', 'containerPort: 15021');
    const plain = run(['check', '-'], injected);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toContain('error ports: Deployment shop/web (document 1): port 15021/TCP: container "app" [containerPort "http"] and container '
      + '"istio-proxy" [Istio proxy health checks, by default, bound on 0.0.0.0, not declared] both listen on it');
    const restricted = run(['check', '--restricted', '--format=json', '-'], injected);
    expect(JSON.parse(restricted.stdout).findings.map((f: { rule: string }) => f.rule)).toEqual(['ports', 'restricted', 'restricted']);
  });

  test('fails on unparsable YAML, naming the file and line, and still checks the other documents', () => {
    const dir = folder({ 'bad.yaml': `${CLASH}---\nkind: Deployment\nmetadata: {name: [oops\n` });
    const { code, stdout } = run(['check', path.join(dir, 'bad.yaml')]);
    expect(code).toBe(2);
    expect(stdout).toMatch(new RegExp(`^${path.join(dir, 'bad.yaml').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2[0-9]:\\d+: error yaml: `, 'm'));
    expect(stdout).toContain('error ports: Deployment shop/web (document 1)');
  });

  test('fails on a missing file, an unknown option or no input, saying how to call it', () => {
    expect(run(['check', '/nonexistent/x.yaml'])).toEqual(expect.objectContaining({ code: 2, stderr: expect.stringContaining('no such file or directory') }));
    expect(run(['check', '--strict', 'x'])).toEqual(expect.objectContaining({ code: 2, stderr: expect.stringContaining('unknown option "--strict"') }));
    expect(run(['check'])).toEqual(expect.objectContaining({ code: 2, stderr: expect.stringContaining('no input given') }));
    expect(run(['check', '--format', 'xml', 'x'])).toEqual(expect.objectContaining({ code: 2, stderr: '--format takes text or json, got "xml"\n' }));
    expect(run(['lint', 'x']).stderr).toContain('unknown command "lint"');
    expect(run(['--help'])).toEqual(expect.objectContaining({ code: 0, stdout: expect.stringContaining('usage: cdk8s-sidecars check') }));
  });
});
