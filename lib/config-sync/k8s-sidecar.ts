/**
 * The kiwigrid/k8s-sidecar renderer: the environment variables withConfigSync hands to it.
 *
 * Every name here is in the "Configuration Environment Variables" table of the upstream README
 * (2.x); test/config-sync/k8s-sidecar.test.ts keeps the documented names in a table.
 *
 * Never rendered: `REQ_USERNAME` / `REQ_PASSWORD` (secrets in the pod spec), `SKIP_TLS_VERIFY`,
 * `NAMESPACE` (the sidecar reads its own namespace from the service-account volume, and the Role
 * it gets only covers that namespace), `KUBECONFIG`.
 *
 * @see https://github.com/kiwigrid/k8s-sidecar#configuration-environment-variables
 */

/** Which kinds the sidecar reads: `RESOURCE`. */
export type K8sSidecarResource = 'configmap' | 'secret' | 'both';

/** Everything k8s-sidecar is told, in its own terms. */
export interface K8sSidecarSettings {
  /** `LABEL`: the label key that selects ConfigMaps/Secrets. */
  readonly label: string;
  /** `LABEL_VALUE`: the value it must have. Omitted: any value. */
  readonly labelValue?: string;
  /** `FOLDER`: where files are written, the shared volume as the sidecar mounts it. */
  readonly folder: string;
  /** `RESOURCE`. */
  readonly resource: K8sSidecarResource;
  /**
   * `METHOD`: `WATCH` (list, then watch for changes) or `LIST` ("just list config-maps/secrets
   * and exit", the init container).
   */
  readonly method: 'WATCH' | 'LIST';
  /** `HEALTH_PORT`: the `/healthz` endpoint (upstream default 8080, the commonest app port). */
  readonly healthPort: number;
  /** `UNIQUE_FILENAMES`. Omitted: upstream default, false. */
  readonly uniqueFilenames?: boolean;
  /** `DEFAULT_FILE_MODE`, three octal digits. Omitted: the process umask (0644). */
  readonly fileMode?: number;
  /** `REQ_URL` with `REQ_METHOD=POST` and `REQ_SKIP_INIT=true`: the reload request. */
  readonly reloadUrl?: string;
  /** `SCRIPT`: a script run (with `sh`) after each change, before the request. */
  readonly script?: string;
}

/** The variables, in a fixed order. */
export function k8sSidecarEnv(settings: K8sSidecarSettings): Array<[string, string]> {
  const env: Array<[string, string]> = [['LABEL', settings.label]];
  if (settings.labelValue !== undefined) env.push(['LABEL_VALUE', settings.labelValue]);
  env.push(
    ['FOLDER', settings.folder],
    ['RESOURCE', settings.resource],
    ['METHOD', settings.method],
    ['HEALTH_PORT', String(settings.healthPort)],
  );
  if (settings.uniqueFilenames !== undefined) env.push(['UNIQUE_FILENAMES', String(settings.uniqueFilenames)]);
  if (settings.fileMode !== undefined) env.push(['DEFAULT_FILE_MODE', octal(settings.fileMode)]);
  if (settings.script !== undefined) env.push(['SCRIPT', settings.script]);
  if (settings.reloadUrl !== undefined) {
    // REQ_SKIP_INIT: no request for the initial list, which happens before the app has started
    // (a native sidecar holds the app until it is ready; retries would delay that).
    env.push(['REQ_URL', settings.reloadUrl], ['REQ_METHOD', 'POST'], ['REQ_SKIP_INIT', 'true']);
  }
  return env;
}

/** `0o640` → `"640"`: the three digits `DEFAULT_FILE_MODE` expects. */
export function octal(mode: number): string {
  return mode.toString(8).padStart(3, '0');
}
