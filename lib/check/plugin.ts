/**
 * The whole-pod checks as a cdk8s validation plugin: `cdk8s synth` runs it over every manifest
 * it wrote, so every pod template of the app is checked (imported `KubeDeployment`s, `Include`d
 * files, `Helm` charts, cdk8s-plus workloads no helper of ours touched), and the CLI reports each
 * finding with the construct that made the object.
 *
 * In the app's cdk8s.yaml (the package is loaded from the app's own node_modules, where it is
 * installed with the cdk8s-plus line the app uses; this module loads no cdk8s-plus):
 * ```yaml
 * validations:
 *   - package: ./node_modules/cdk8s-sidecars/build/check/plugin.js
 *     version: 0.1.0
 *     class: PodChecks
 *     properties:
 *       restricted: true   # optional: the Pod Security Standards "restricted" profile too
 * ```
 * @see https://github.com/cdk8s-team/cdk8s-validation-plugin-example
 * @see https://github.com/cdk8s-team/cdk8s-cli/blob/main/src/plugins/validation.ts (the interface implemented here)
 */
import { checkManifests, describeResource, POD_KINDS } from '../engine/manifests';

/** The part of cdk8s-cli's `ValidationContext` the plugin uses (cdk8s-cli src/plugins/validation.ts). */
export interface PodChecksContext {
  /** The manifest files to validate. */
  readonly manifests: readonly string[];
  /** The report to add violations to and submit. */
  readonly report: {
    addViolation(violation: {
      readonly ruleName: string;
      readonly recommendation: string;
      readonly fix: string;
      readonly violatingResources: ReadonlyArray<{
        readonly resourceName: string; readonly locations: readonly string[]; readonly manifestPath: string;
      }>;
    }): void;
    submit(status: 'success' | 'failure', metadata?: { readonly [key: string]: string }): void;
  };
  /** The documents of one manifest file. */
  parseManifest(manifestPath: string): any[];
}

/** The plugin's `properties` in cdk8s.yaml. */
export interface PodChecksProperties {
  /**
   * Also hold every container to the Pod Security Standards "restricted" profile.
   * @default false
   */
  readonly restricted?: boolean;
}

/**
 * The cdk8s-cli validation plugin: the whole-pod rules (ports, well-known programs' undeclared
 * ports, host ports, mounts, volumes, probes, port names, long-running containers on Jobs, and
 * optionally the restricted profile) over every pod template of the synthesized manifests.
 */
export class PodChecks {
  private readonly restricted: boolean;

  constructor(properties: PodChecksProperties = {}) {
    const unknown = Object.keys(properties ?? {}).filter((k) => k !== 'restricted');
    if (unknown.length > 0) {
      throw new Error(`cdk8s-sidecars PodChecks: unknown propert${unknown.length > 1 ? 'ies' : 'y'} ${unknown.map((k) => `"${k}"`).join(', ')} `
        + 'in cdk8s.yaml; the one property is restricted (true or false)');
    }
    if (properties?.restricted !== undefined && typeof properties.restricted !== 'boolean') {
      throw new Error(`cdk8s-sidecars PodChecks: properties.restricted must be true or false, got ${JSON.stringify(properties.restricted)}`);
    }
    this.restricted = properties?.restricted ?? false;
  }

  /** Runs the rules over `context.manifests` and submits the report (cdk8s-cli's `Validation.validate`). */
  public async validate(context: PodChecksContext): Promise<void> {
    let pods = 0;
    let findings = 0;
    for (const manifestPath of context.manifests) {
      const report = checkManifests(context.parseManifest(manifestPath), { restricted: this.restricted });
      pods += report.pods;
      for (const finding of report.findings) {
        findings++;
        context.report.addViolation({
          ruleName: `${finding.rule}: ${describeResource(finding.resource)}`,
          recommendation: finding.message,
          fix: finding.fix,
          violatingResources: [{ resourceName: finding.resource.name, locations: [finding.path], manifestPath }],
        });
      }
    }
    context.report.submit(findings > 0 ? 'failure' : 'success', {
      'Pod templates checked': String(pods),
      'Kinds read': POD_KINDS.join(', '),
      ...(this.restricted ? { 'Restricted profile': 'on' } : {}),
    });
  }
}
