import { validateManifest } from './k8s-schema';

const deployment = (container: Record<string, unknown>, podExtra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'app', image: 'nginx:1.27', ...container }], ...podExtra },
    },
  },
});

describe('the schema check used on every synthesized manifest', () => {
  test('accepts a valid Deployment with a native sidecar', () => {
    expect(() => validateManifest(deployment({}, {
      initContainers: [{ name: 'proxy', image: 'envoy', restartPolicy: 'Always' }],
    }))).not.toThrow();
  });

  test('fails when a container has an unknown field', () => {
    expect(() => validateManifest(deployment({ imagePullPolicyy: 'Always' }))).toThrow(/additional properties: "imagePullPolicyy"/);
  });

  test('fails when the pod spec has an unknown field', () => {
    expect(() => validateManifest(deployment({}, { sharedProcessNamespace: true }))).toThrow(/"sharedProcessNamespace"/);
  });

  test('fails when a required field is missing', () => {
    const bad = deployment({});
    delete (bad.spec.template.spec.containers[0] as any).name;
    expect(() => validateManifest(bad)).toThrow(/must have required property 'name'/);
  });

  test('fails when a field has the wrong type', () => {
    expect(() => validateManifest(deployment({ ports: [{ containerPort: '8080' }] }))).toThrow(/containerPort must be number/);
  });

  test('fails when an enum value is unknown', () => {
    expect(() => validateManifest(deployment({ imagePullPolicy: 'Sometimes' }))).toThrow(/imagePullPolicy/);
  });

  test('fails when the kind is unknown to the test schema', () => {
    expect(() => validateManifest({ apiVersion: 'v1', kind: 'Gadget', metadata: { name: 'x' } })).toThrow(/no schema for this kind/);
  });
});
