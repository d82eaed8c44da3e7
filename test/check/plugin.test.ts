/**
 * The validation plugin, loaded and run the way cdk8s-cli does for `cdk8s synth` with
 * `validations:` in cdk8s.yaml (cdk8s-cli's own ValidationPlugin.load and PluginManager, from the
 * devDependency), on an app whose pods no helper of ours touched.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import type { ValidationContext, Validation } from 'cdk8s-cli/plugins';
import { PodChecks } from '../../lib/check/plugin';

// cdk8s-cli's own loader (its package exports only the plugin types): what `cdk8s synth` calls.
const CLI = path.dirname(require.resolve('cdk8s-cli/package.json'));
/* eslint-disable @typescript-eslint/no-require-imports */
const { ValidationPlugin } = require(path.join(CLI, 'lib', 'plugins', 'validation.js')) as {
  ValidationPlugin: { load(validation: object, app: object, stdout: boolean, manager: unknown): { plugin: Validation; context: ValidationContext } };
};
const { PluginManager } = require(path.join(CLI, 'lib', 'plugins', '_manager.js')) as { PluginManager: new (dir: string) => unknown };
/* eslint-enable @typescript-eslint/no-require-imports */

const PLUGIN = path.join(__dirname, '..', '..', 'lib', 'check', 'plugin');

/** A Deployment as `cdk8s import k8s`'s KubeDeployment or an Include would write it: a plain ApiObject. */
function deployment(chart: Chart, name: string, containers: object[]): ApiObject {
  return new ApiObject(chart, name, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers } } },
  });
}

/** Synthesizes as `cdk8s synth` does when validations are configured (with the construct metadata), then loads and runs the plugin. */
async function validate(build: (chart: Chart) => void, properties?: Record<string, unknown>) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-sidecars-plugin-'));
  const app = new App({ outdir, recordConstructMetadata: true });
  build(new Chart(app, 'shop'));
  app.synth();
  const manifests = fs.readdirSync(outdir).filter((f) => f.endsWith('.k8s.yaml')).map((f) => path.join(outdir, f));
  const { plugin, context } = ValidationPlugin.load(
    { package: PLUGIN, version: '0.1.0', class: 'PodChecks', properties },
    { manifests, constructMetadata: path.join(outdir, 'construct-metadata.json') },
    false,
    new PluginManager(path.join(outdir, 'plugins')),
  );
  await plugin.validate(context);
  return context.report;
}

describe('the cdk8s validation plugin', () => {
  test('passes an app whose pods are sound', async () => {
    const report = await validate((chart) => {
      deployment(chart, 'web', [{ name: 'app', image: 'ghcr.io/acme/web:1.4.2', ports: [{ containerPort: 8080, name: 'http' }] }]);
      new ApiObject(chart, 'svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } });
    });
    expect(report.success).toBe(true);
    expect(report.toJson().summary.metadata).toEqual(expect.objectContaining({ 'Pod templates checked': '1' }));
  });

  test('fails with the resource, the rule and the fix when a pod no helper touched has a port clash', async () => {
    const report = await validate((chart) => {
      deployment(chart, 'web', [
        { name: 'app', image: 'ghcr.io/acme/web:1.4.2', ports: [{ containerPort: 8080, name: 'http' }] },
        { name: 'exporter', image: 'ghcr.io/acme/exporter:2.0.0', ports: [{ containerPort: 8080, name: 'metrics' }] },
      ]);
    });
    expect(report.success).toBe(false);
    const { violations } = report.toJson();
    expect(violations).toEqual([{
      ruleName: 'ports: Deployment web',
      recommendation: 'port 8080/TCP: container "app" [containerPort "http"] and container "exporter" [containerPort "metrics"] both listen on it, '
        + 'and the containers of a pod share one network namespace',
      fix: 'give one of them another port',
      violatingConstructs: [{ resourceName: 'web', locations: ['spec.template.spec'], manifestPath: expect.stringMatching(/shop\.k8s\.yaml$/), constructPath: 'shop/web' }],
    }]);
    // As the CLI prints it.
    const text = report.toString();
    expect(text).toContain('Construct Path: shop/web');
    expect(text).toContain('How to fix: give one of them another port');
  });

  test('holds every container to the restricted profile when asked', async () => {
    const build = (chart: Chart) => deployment(chart, 'web', [{ name: 'app', image: 'ghcr.io/acme/web:1.4.2' }]);
    expect((await validate(build)).success).toBe(true);
    const report = await validate(build, { restricted: true });
    expect(report.toJson().violations.map((v) => v.ruleName)).toEqual(['restricted: Deployment web']);
  });

  test('fails when cdk8s.yaml gives a property it does not know', () => {
    expect(() => new PodChecks({ strict: true } as never)).toThrow('cdk8s-sidecars PodChecks: unknown property "strict" in cdk8s.yaml; the one property is restricted (true or false)');
  });
});
