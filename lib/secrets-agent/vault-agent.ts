/**
 * The Vault Agent renderer: a plain model in, the agent's configuration file out, as JSON.
 *
 * Vault Agent reads its configuration with HCL 1, which takes JSON as well (hashicorp/vault
 * command/agent/config/config.go `LoadConfigFile`: hcl.Parse; a directory of `.hcl` and `.json`
 * files in `LoadConfigDir`); the Vault Agent Injector itself hands the agent JSON
 * (hashicorp/vault-k8s agent-inject/agent/config.go). JSON is built from objects, so no value
 * can break out of its string: there is no HCL quoting to get wrong.
 *
 * The stanzas, as Vault 1.21/2.1 parse them (command/agent/config/config.go):
 * - `vault`: address, namespace, ca_cert, tls_server_name, tls_skip_verify;
 * - `auto_auth.method`: `type`, `mount_path` and `config` (for kubernetes: role, token_path;
 *   builtin/credential/kubernetes in the agent's auth/kubernetes);
 * - `exit_after_auth`: render once, then exit (the template server runs once);
 * - `template_config`: exit_on_retry_failure, static_secret_render_interval;
 * - `template` (a list): destination, contents, perms (a string like "0640"), error_on_missing_key,
 *   create_dest_dirs, and `exec` {command (a list run without a shell), timeout}: decoded by
 *   mapstructure with ErrorUnused, so an unknown key is refused at start;
 * - `cache`, `api_proxy.use_auto_auth_token` and a `listener` for the cache.
 * No `sink`: the token stays in the agent's memory, never in a file the app could read.
 */

/** One file the agent renders. */
export interface VaultAgentTemplate {
  /** Absolute, in the agent's container. */
  readonly destination: string;
  /** The Consul Template. */
  readonly contents: string;
  /** Octal digits, `0640`. */
  readonly perms: string;
  /** Fail the render when a template reads a key the secret lacks. */
  readonly errorOnMissingKey: boolean;
  /** Run after each render that changed the file; never fails (the command handles its errors). */
  readonly command?: string[];
}

/** What the configuration says. */
export interface VaultAgentModel {
  readonly address: string;
  readonly namespace?: string;
  readonly caCert?: string;
  readonly tlsServerName?: string;
  readonly tlsSkipVerify?: boolean;
  /** `auth/kubernetes`. */
  readonly authPath: string;
  readonly role: string;
  /** The projected service-account token. */
  readonly tokenPath: string;
  /** Render once and exit: the one-time init container. */
  readonly exitAfterAuth: boolean;
  /** Seconds. */
  readonly renderInterval?: number;
  /** `127.0.0.1:8200`: the cache listener. */
  readonly cacheAddress?: string;
  readonly templates: readonly VaultAgentTemplate[];
}

/** Seconds a reload command may run before the agent kills it (consul-template's default is 30s). */
export const COMMAND_TIMEOUT = '30s';

/** The configuration file's text (JSON). */
export function renderVaultAgent(model: VaultAgentModel): string {
  const vault: Record<string, unknown> = { address: model.address };
  if (model.namespace !== undefined) vault.namespace = model.namespace;
  if (model.caCert !== undefined) vault.ca_cert = model.caCert;
  if (model.tlsServerName !== undefined) vault.tls_server_name = model.tlsServerName;
  if (model.tlsSkipVerify) vault.tls_skip_verify = true;

  const templateConfig: Record<string, unknown> = {
    // A template that cannot be rendered after the retries (12 by default) stops the agent,
    // so the kubelet restarts it and the failure shows (the injector's default, too).
    exit_on_retry_failure: true,
  };
  if (model.renderInterval !== undefined) templateConfig.static_secret_render_interval = `${model.renderInterval}s`;

  const config: Record<string, unknown> = {
    vault,
    auto_auth: {
      method: {
        type: 'kubernetes',
        mount_path: model.authPath,
        config: { role: model.role, token_path: model.tokenPath },
      },
    },
    exit_after_auth: model.exitAfterAuth,
    template_config: templateConfig,
    template: model.templates.map((t) => ({
      destination: t.destination,
      contents: t.contents,
      perms: t.perms,
      error_on_missing_key: t.errorOnMissingKey,
      create_dest_dirs: true,
      ...(t.command ? { exec: { command: t.command, timeout: COMMAND_TIMEOUT } } : {}),
    })),
  };
  if (model.cacheAddress !== undefined) {
    config.cache = {};
    config.api_proxy = { use_auto_auth_token: true };
    config.listener = [{ tcp: { address: model.cacheAddress, tls_disable: true } }];
  }
  return `${JSON.stringify(config, undefined, 2)}\n`;
}
