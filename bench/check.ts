/**
 * `npm run bench:check`: the `cdk8s-sidecars check` command on 10,000 pod templates, against a
 * peer that validates Kubernetes YAML (bench/check-peer.ts: kubernetes-models, a devDependency),
 * on the same generated file, each a whole Node.js process timed from spawn to exit, alternating
 * A B B A, medians and the median of paired ratios. Writes its section of bench/RESULTS.md
 * (between the check markers; bench/run.ts keeps it when it rewrites the rest).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { median, ms, pairedRatio } from './stats';

const PODS = 10_000;
const ROUNDS = Math.max(2, Math.round(6 * Number(process.env.BENCH_ROUNDS ?? '1')));
const HERE = __dirname; // bench/.out/bench
const REPORT = path.resolve(HERE, '..', '..', 'RESULTS.md');
const CLI = path.resolve(HERE, '..', 'package', 'check', 'cli.js');
const PEER = path.join(HERE, 'check-peer.js');
const BEGIN = '<!-- bench/check.ts: begin -->';
const END = '<!-- bench/check.ts: end -->';

/** One pod template: an app, a metrics exporter and a log shipper (a classic sidecar), a shared emptyDir, probes. */
function deployment(i: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-${i}
  namespace: team-${i % 20}
spec:
  replicas: 2
  selector:
    matchLabels: { app: web-${i} }
  template:
    metadata:
      labels: { app: web-${i} }
    spec:
      containers:
        - name: app
          image: ghcr.io/acme/web:1.4.${i % 10}
          ports: [{ containerPort: 8080, name: http }]
          readinessProbe: { httpGet: { path: /ready, port: http } }
          volumeMounts: [{ name: logs, mountPath: /var/log/app }]
        - name: exporter
          image: quay.io/prometheus/statsd-exporter:v0.29.0
          ports: [{ containerPort: 9102, name: metrics }]
        - name: log-shipper
          image: cr.fluentbit.io/fluent/fluent-bit:3.2.2
          args: ['-c', '/fluent-bit/etc/fluent-bit.conf']
          volumeMounts: [{ name: logs, mountPath: /var/log/app, readOnly: true }]
      volumes:
        - name: logs
          emptyDir: {}
---
apiVersion: v1
kind: Service
metadata:
  name: web-${i}
  namespace: team-${i % 20}
spec:
  selector: { app: web-${i} }
  ports: [{ port: 80, targetPort: http }]
`;
}

function time(args: string[]): { ms: number; out: string } {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const elapsed = performance.now() - start;
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}:\n${result.stderr}\n${result.stdout.slice(0, 2000)}`);
  return { ms: elapsed, out: result.stdout.trim().split('\n').pop()! };
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-sidecars-bench-check-'));
const input = path.join(work, 'pods.yaml');
fs.writeFileSync(input, Array.from({ length: PODS }, (_, i) => deployment(i)).join('---\n'));
const size = fs.statSync(input).size;

const ours: number[] = [];
const peer: number[] = [];
let ourSummary = '';
let peerSummary = '';
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? ['ours', 'peer'] : ['peer', 'ours'];
  for (const side of order) {
    if (side === 'ours') {
      const r = time([CLI, 'check', input]);
      ours.push(r.ms);
      ourSummary = r.out;
    } else {
      const r = time([PEER, input]);
      peer.push(r.ms);
      peerSummary = r.out;
    }
  }
}
const paired = pairedRatio(ours, peer);
const cpus = os.cpus();
const section = [
  BEGIN,
  `## The check command against a peer linter, ${PODS.toLocaleString('en-US')} pod templates`,
  '',
  `Written by \`npm run bench:check\` on ${new Date().toISOString().slice(0, 10)}: ${cpus.length} × ${cpus[0]?.model.split(' ')[0] ?? 'CPU'}, Node.js ${process.version}. `
    + `One generated file of ${(size / 1024 / 1024).toFixed(1)} MiB: ${PODS.toLocaleString('en-US')} Deployments (an app, a metrics exporter and a Fluent Bit `
    + 'log shipper sharing an emptyDir, probes) and as many Services. Each side is a whole Node.js process timed from spawn to exit, '
    + `alternating, ${ROUNDS} runs each. The peer is kubernetes-models' validation (the Kubernetes OpenAPI schema of every built-in kind; `
    + 'bench/check-peer.ts), the JavaScript package that validates Kubernetes YAML; kubeconform, kube-linter and kube-score are neither on npm nor on Debian. '
    + 'The two check different things (the whole pod against its schema), on the same input, with the same YAML parser.',
  '',
  '| process | wall time (median) | result |',
  '|---|---|---|',
  `| \`cdk8s-sidecars check pods.yaml\` | ${ms(median(ours))} | ${ourSummary} |`,
  `| kubernetes-models validation | ${ms(median(peer))} | ${peerSummary} |`,
  `| **ratio** (check / peer, median of paired runs) | **${paired.toFixed(2)}×** | |`,
  END,
].join('\n');

const current = fs.existsSync(REPORT) ? fs.readFileSync(REPORT, 'utf8') : '# Benchmark results\n';
const begin = current.indexOf(BEGIN);
const end = current.indexOf(END);
const next = begin >= 0 && end > begin
  ? `${current.slice(0, begin)}${section}${current.slice(end + END.length)}`
  : `${current.trimEnd()}\n\n${section}\n`;
fs.writeFileSync(REPORT, next);
fs.rmSync(work, { recursive: true, force: true });
process.stdout.write(`${section}\n`);
