import { Duration, Size } from 'cdk8s';
import { checkFactoryOptions } from '../engine/input';
import { kplus } from '../engine/kplus';
import { keyedByValue } from '../engine/options-key';
import { ConfigReload } from '../engine/reload';
import { SidecarMode } from '../engine/sidecar-mode';

/** The folder the app reads its secret files from, unless told otherwise (the Vault Agent Injector's). */
export const DEFAULT_SECRETS_FOLDER = '/vault/secrets';

// ---------------------------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------------------------

/** Options of `SecretTemplate.kv`. */
export interface KvSecretOptions {
  /**
   * The secret's path inside the secrets engine, without the mount and (KV v2) without `data/`:
   * `app/db` for `vault kv get secret/app/db`. Letters, digits and `_ - . @ + = :` between `/`.
   */
  readonly path: string;

  /**
   * Where the KV secrets engine is mounted.
   * @default 'secret' (the mount `vault server -dev` creates)
   */
  readonly mount?: string;

  /**
   * One key of the secret: the file holds its value alone. Any key, quoted into the template.
   * @default - every key, as one JSON object
   */
  readonly field?: string;

  /**
   * The KV secrets engine's version: 2 reads `<mount>/data/<path>` and the keys under
   * `.Data.data`; 1 reads `<mount>/<path>` and the keys under `.Data`.
   * @default 2
   * @see https://developer.hashicorp.com/vault/docs/agent-and-proxy/agent/template#secret
   */
  readonly kvVersion?: 1 | 2;

  /**
   * A fixed version of a KV v2 secret (`?version=N`).
   * @default - the newest version, re-read every `renderInterval`
   */
  readonly version?: number;
}

/** Options of `SecretTemplate.database`. */
export interface DatabaseSecretOptions {
  /** The database secrets engine's role: the file holds credentials from `<mount>/creds/<role>`. */
  readonly role: string;

  /**
   * Where the database secrets engine is mounted.
   * @default 'database'
   */
  readonly mount?: string;
}

/** @internal */
export type TemplateSpec =
  | { readonly kind: 'kv'; readonly options: KvSecretOptions }
  | { readonly kind: 'database'; readonly options: DatabaseSecretOptions }
  | { readonly kind: 'raw'; readonly contents: string };

/**
 * What a secret file holds: a Consul Template (the language Vault Agent renders), built from
 * checked values, or given as text. Only the template goes into the ConfigMap; the secret values
 * exist only in the agent's memory and the in-memory folder.
 *
 * @see https://developer.hashicorp.com/vault/docs/agent-and-proxy/agent/template
 * @example
 * SecretTemplate.kv({ path: 'web/api', field: 'key' })
 * SecretTemplate.database({ role: 'web' })
 * SecretTemplate.raw('{{ with secret "pki/issue/web" "common_name=web.acme.internal" }}{{ .Data.certificate }}{{ end }}')
 */
export class SecretTemplate {
  /**
   * A secret of the KV secrets engine: one field's value, or all keys as a JSON object.
   * Renders `{{ with secret "secret/data/app/db" }}{{ index .Data.data "password" }}{{ end }}`.
   */
  public static kv(options: KvSecretOptions): SecretTemplate {
    checkFactoryOptions('SecretTemplate.kv', 'KvSecretOptions', options);
    return new SecretTemplate({ kind: 'kv', options });
  }

  /**
   * Dynamic database credentials (`<mount>/creds/<role>`), as the JSON object
   * `{"username": …, "password": …}` from one lease: both in one file, so the user and the
   * password always belong together. Vault Agent renews the lease and renders new credentials
   * when it can no longer renew it.
   * @see https://developer.hashicorp.com/vault/docs/secrets/databases
   */
  public static database(options: DatabaseSecretOptions): SecretTemplate {
    checkFactoryOptions('SecretTemplate.database', 'DatabaseSecretOptions', options);
    return new SecretTemplate({ kind: 'database', options });
  }

  /**
   * A Consul Template of your own (the escape hatch), with `{{ }}` delimiters. It must hold at
   * least one `{{ … }}` action: static text belongs in a ConfigMap or a Secret, not in a
   * template that would copy it into a ConfigMap.
   * @see https://github.com/hashicorp/consul-template/blob/main/docs/templating-language.md
   */
  public static raw(contents: string): SecretTemplate {
    return new SecretTemplate({ kind: 'raw', contents });
  }

  private constructor(private readonly spec: TemplateSpec) {}

  /** @internal */
  public get _spec(): TemplateSpec {
    return this.spec;
  }
}

/** One file the agent renders into the folder. */
export interface SecretFile {
  /**
   * The file's path relative to the folder (`db.json`, `tls/key.pem`); the app reads
   * `<folder>/<path>`. Annotation `vault.hashicorp.com/agent-inject-secret-<path>`.
   */
  readonly path: string;

  /** What the file holds. Annotation `vault.hashicorp.com/agent-inject-template-<path>`. */
  readonly template: SecretTemplate;

  /**
   * The file's mode. The agent owns the file; the app reads it through the pod's fsGroup, so the
   * group must be able to read it. Annotation `vault.hashicorp.com/agent-inject-perms-<path>`.
   * @default 0o640
   */
  readonly perms?: number;

  /**
   * How the app learns that this file changed, instead of the agent's `reload`; `false` for
   * none. Annotation `vault.hashicorp.com/agent-inject-command-<path>`.
   * @default - the agent's `reload`
   */
  readonly reload?: ConfigReload | false;
}

// ---------------------------------------------------------------------------------------------
// TLS
// ---------------------------------------------------------------------------------------------

/** @internal */
export type CaSpec =
  | { readonly kind: 'configMap'; readonly configMap: kplus.IConfigMap; readonly key: string }
  | { readonly kind: 'secret'; readonly secret: kplus.ISecret; readonly key: string };

/**
 * The CA certificate (PEM) that signed the Vault server's certificate, mounted read-only into
 * the agent's containers and given as `vault.ca_cert`.
 *
 * @example
 * VaultCaCertificate.fromConfigMap(kplus.ConfigMap.fromConfigMapName(chart, 'ca', 'vault-ca'), 'ca.crt')
 */
export class VaultCaCertificate {
  /**
   * A key of a ConfigMap (a CA certificate is public), for example the cluster's
   * `kube-root-ca.crt` when Vault's certificate is issued by the cluster CA.
   */
  public static fromConfigMap(configMap: kplus.IConfigMap, key = 'ca.crt'): VaultCaCertificate {
    return new VaultCaCertificate({ kind: 'configMap', configMap, key });
  }

  /**
   * A key of a Secret (the Vault Agent Injector's `tls-secret`), for example the `ca.crt` of a
   * cert-manager Certificate's Secret.
   */
  public static fromSecret(secret: kplus.ISecret, key = 'ca.crt'): VaultCaCertificate {
    return new VaultCaCertificate({ kind: 'secret', secret, key });
  }

  private constructor(private readonly spec: CaSpec) {}

  /** @internal */
  public get _spec(): CaSpec {
    return this.spec;
  }
}

// ---------------------------------------------------------------------------------------------
// The construct
// ---------------------------------------------------------------------------------------------

/** Options of `withSecretsAgent`. */
export interface SecretsAgentOptions {
  /**
   * The Vault server's address: `https://vault.vault.svc:8200`. `http://` only for a server
   * without TLS. No credentials in the URL.
   * @see https://developer.hashicorp.com/vault/docs/agent-and-proxy/agent#vault-stanza
   */
  readonly address: string;

  /**
   * The Vault role of the Kubernetes auth method the pod logs in with (bound to the pod's
   * service account and namespace). Annotation `vault.hashicorp.com/role`.
   * @see https://developer.hashicorp.com/vault/docs/auth/kubernetes
   */
  readonly role: string;

  /** The files to render, each from a template. At least one. */
  readonly secrets: SecretFile[];

  /**
   * Where the Kubernetes auth method is mounted. Annotation `vault.hashicorp.com/auth-path`.
   * @default 'auth/kubernetes'
   */
  readonly authPath?: string;

  /**
   * The audience of the service-account token the agent logs in with: a token projected for
   * Vault only (never the pod's default token, which the API server accepts too). The role's
   * `audience` must be the same.
   * @default 'vault'
   */
  readonly audience?: string;

  /**
   * How long the projected token is valid; the kubelet renews it at 80% of that. At least 10 minutes.
   * @default Duration.hours(1)
   */
  readonly tokenExpiration?: Duration;

  /**
   * The Vault Enterprise namespace. Annotation `vault.hashicorp.com/namespace`.
   * @default - none (the root namespace)
   */
  readonly namespace?: string;

  /**
   * The CA that signed Vault's certificate. Annotations `vault.hashicorp.com/tls-secret` and
   * `vault.hashicorp.com/ca-cert`.
   * @default - the image's system CAs (alpine's ca-certificates)
   */
  readonly caCertificate?: VaultCaCertificate;

  /**
   * The name Vault's certificate is checked against (`vault.tls_server_name`).
   * @default - the host of `address`
   */
  readonly tlsServerName?: string;

  /**
   * Accept any certificate from Vault (`vault.tls_skip_verify`). Anyone between the pod and
   * Vault could then read the secrets. Never on by default; refused with `caCertificate`.
   * Annotation `vault.hashicorp.com/tls-skip-verify`.
   * @default false
   */
  readonly insecureSkipTlsVerify?: boolean;

  /**
   * Where the app containers mount the folder of rendered files, read-only (absolute).
   * @default '/vault/secrets'
   */
  readonly folder?: string;

  /**
   * How the app learns that a file changed (after a secret was rotated or a lease renewed into
   * new credentials). Per file, `SecretFile.reload` overrides it.
   * Annotation `vault.hashicorp.com/agent-inject-command-<file>`.
   * @default - not told: the app re-reads the files by itself
   */
  readonly reload?: ConfigReload;

  /**
   * Render once, before the app starts, and run no agent beside it (an init container with
   * `exit_after_auth`). Secrets are then never renewed or re-read. Jobs and CronJobs always get
   * this. Annotation `vault.hashicorp.com/agent-pre-populate-only`.
   * @default false
   */
  readonly prePopulateOnly?: boolean;

  /**
   * Put the agent before every other init container and native sidecar, so that they can read
   * the secrets too. Annotation `vault.hashicorp.com/agent-init-first`.
   * @default false
   */
  readonly initFirst?: boolean;

  /**
   * Run Vault Agent's cache with a listener on `127.0.0.1:<cachePort>` that the app may send
   * Vault requests to; the agent adds its own token (`api_proxy.use_auto_auth_token`). Any
   * process of the pod may then use the agent's Vault token. Annotation
   * `vault.hashicorp.com/agent-cache-enable`.
   * @default false
   * @see https://developer.hashicorp.com/vault/docs/agent-and-proxy/agent/caching
   */
  readonly cache?: boolean;

  /**
   * The port of the cache listener, on 127.0.0.1 (with `cache`).
   * @default - 8200, or the next port no container of the pod uses at this call
   */
  readonly cachePort?: number;

  /**
   * How often the agent re-reads secrets that have no lease (KV) to find new versions
   * (`template_config.static_secret_render_interval`). Annotation
   * `vault.hashicorp.com/template-static-secret-render-interval`.
   * @default - Vault Agent's default, 5 minutes
   */
  readonly renderInterval?: Duration;

  /**
   * The agent container's name (the one-time init container is `<name>-init`; the volumes are
   * `<name>-…`). Two agents on one workload need two names.
   * @default 'vault-agent'
   */
  readonly name?: string;

  /**
   * The app containers that mount the folder.
   * @default - every container of the pod, at this call, that is not a sidecar of this library
   */
  readonly containers?: string[];

  /**
   * Native sidecar or classic container, for the long-running agent. Ignored on a Job or
   * CronJob and with `prePopulateOnly`.
   * @default - the nearest `setDefaultSidecarMode`, else `SidecarMode.NATIVE`
   */
  readonly mode?: SidecarMode;

  /**
   * Resources of the agent containers; each of cpu and memory given replaces the default.
   * Annotations `vault.hashicorp.com/agent-requests-cpu`, `-requests-mem`, `-limits-cpu`,
   * `-limits-mem`.
   * @default - 50m/500m CPU, 64Mi/128Mi memory (the injector's memory defaults; its CPU request, 250m, is sized for many templates)
   */
  readonly resources?: kplus.ContainerResources;

  /**
   * The UID the agent runs as. Annotation `vault.hashicorp.com/agent-run-as-user`.
   * @default 100 (the image's `vault` user), or the app's UID with `ConfigReload.signal`
   */
  readonly user?: number;

  /**
   * The most the in-memory folder may hold; it counts against the agent's memory limit.
   * @default Size.mebibytes(1)
   */
  readonly sizeLimit?: Size;
}

// Options compare by value in the plan cache (engine/options-key.ts): all their state is in their own properties.
keyedByValue(SecretTemplate, VaultCaCertificate);
