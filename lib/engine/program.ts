/**
 * What a helper's pure `plan` returns and the engine's `attachProgram` (attach.ts) adds to a
 * pod: a sidecar program described in plain values, with no construct made yet.
 *
 * Everything a helper knows about its program (the image, the arguments, the configuration
 * files, the ports it binds, the folders it shares) goes here; everything that touches
 * constructs (ConfigMaps, volumes, containers, annotations, ids, name limits, the registry) is
 * done by the engine, the same way for every helper.
 */
import { BoundPort } from './bound-port';
import { kplus } from './kplus';
import { SharedVolumeOptions } from './shared-volume';
import { SidecarMode } from './sidecar-mode';

/** Where one of the program's own volumes comes from. */
export type ProgramVolumeSource =
  | {
    readonly kind: 'configMap';
    readonly configMap: kplus.IConfigMap;
    readonly items?: Record<string, kplus.PathMapping>;
    readonly defaultMode?: number;
  }
  | {
    readonly kind: 'secret';
    readonly secret: kplus.ISecret;
    readonly items?: Record<string, kplus.PathMapping>;
    readonly defaultMode?: number;
  }
  | {
    /**
     * A volume source cdk8s-plus has no factory for (projected, downwardAPI), in cdk8s-plus's
     * spelling of the field names (see `volumeFromSource` in kplus.ts).
     */
    readonly kind: 'raw';
    readonly source: Record<string, unknown>;
  };

/** A volume that only the program's containers mount, read-only. */
export interface ProgramVolume {
  /** The pod-level volume is named `<program name>-<suffix>`. */
  readonly suffix: string;
  /** Where the program's containers mount it. */
  readonly path: string;
  readonly source: ProgramVolumeSource;
}

/**
 * One container of the program: what `kplus.ContainerProps` takes except its name (the
 * program's name, or `<name>-init`) and its restart policy (the mode's), plus the ports the
 * program binds without declaring them.
 */
export interface ProgramContainer extends Omit<kplus.ContainerProps, 'name' | 'restartPolicy'> {
  /** Ports the program listens on without a containerPort: they join the pod's port ledger. */
  readonly boundPorts?: BoundPort[];

  /**
   * Start before every other init container and native sidecar (an init container or a
   * native sidecar; a classic sidecar is a regular container and ignores it).
   */
  readonly first?: boolean;

  /**
   * `command`, `args` and literal env values are meant for Kubernetes' `$(NAME)` expansion.
   * Unset (every helper), the engine escapes each `$(` and `$$` so that the program gets exactly
   * the text the plan wrote, whatever the user's values hold; `withSidecar` sets it, since its
   * users write their own arguments and may mean `$(NAME)`.
   * @default false
   */
  readonly expandsVariables?: boolean;

  /**
   * Environment variable names follow the relaxed rule (any printable ASCII but `=`), which
   * needs Kubernetes 1.32 or later (the RelaxedEnvironmentVariableValidation feature).
   * @default false - Kubernetes 1.28's rule
   */
  readonly relaxedEnvNames?: boolean;

  /**
   * The security context may leave the Pod Security Standards "restricted" profile (privileged,
   * root, privilege escalation, added capabilities other than NET_BIND_SERVICE, hostPort):
   * the user's explicit opt-in (`withSidecar`'s `allowOutsideRestrictedProfile`).
   * @default false
   */
  readonly allowOutsideRestrictedProfile?: boolean;

  /**
   * Flags and environment variables this container must never carry, even after the user edits
   * it through the returned handle: checked over the whole pod at synth (validation/forbidden.ts).
   * @default - none
   */
  readonly forbidden?: readonly ForbiddenSetting[];
}

/** A flag or environment variable a program must never be given, and why. */
export interface ForbiddenSetting {
  /** A command-line flag, `--git`: refused as `--git`, `--git=…` and `-git`. */
  readonly flag?: string;
  /** An environment variable name, `GITSYNC_GIT`. */
  readonly env?: string;
  /** Why, and what to do instead: `it names the program git-sync runs (command injection)`. */
  readonly reason: string;
}

/** The long-running container of a program. */
export interface ProgramSidecar extends ProgramContainer {
  /**
   * Native sidecar or regular container.
   * @default - the nearest `setDefaultSidecarMode`, else native
   */
  readonly mode?: SidecarMode;
}

/** Configuration files, in one ConfigMap, mounted read-only into every container of the program. */
export interface ProgramConfig {
  /** Where the files are mounted. */
  readonly dir: string;
  /** File name to text. */
  readonly files: Record<string, string>;
  /**
   * The files' mode.
   * @default - Kubernetes' default, 0644
   */
  readonly defaultMode?: number;
}

/** RBAC the program needs in the pod's namespace: a Role bound to the pod's service account. */
export interface ProgramRbac {
  readonly verbs: string[];
  readonly resources: kplus.IApiResource[];
}

/** A shared volume of a program. */
export interface ProgramSharedVolume extends SharedVolumeOptions {
  /**
   * The program replaces the folder's contents (a synced checkout): nothing may be mounted
   * inside it in the app containers (validation/folders.ts).
   */
  readonly managed?: boolean;

  /** The option that set `appPath`, for messages (`logPath`, `mountPath`). */
  readonly appPathOption?: string;
}

/**
 * Environment variables the program gives the app containers (an SDK's endpoint, the service
 * name). The engine adds them after the containers' own variables and never replaces one:
 * `checkProgram` refuses a variable a target container already has, so the plan leaves out
 * those it means to keep.
 */
export interface ProgramAppEnv {
  /** The app containers, by name, that get the variables. */
  readonly containers: string[];
  /**
   * The variables, in order: a value may refer to a variable before it with `$(NAME)`.
   * Per container, so that a value may name its container.
   */
  readonly variables: Record<string, ReadonlyArray<{ readonly name: string; readonly value: kplus.EnvValue }>>;
}

/**
 * A path the program calls on an app port from inside the pod (a reload endpoint): a proxy in
 * front of that port must not let the outside reach it (validation/internal-paths.ts).
 */
export interface InternalPath {
  /** The app's container port. */
  readonly port: number;
  /** The path, starting with `/` (a query after `?` is ignored). */
  readonly path: string;
  /** What calls it, for messages: `reload POST`. */
  readonly purpose: string;
}

/** A sidecar program, described; `attachProgram` adds it to the pod. */
export interface Program {
  /**
   * What starts every message about it: `withProxy`, `sidecar "exporter"`. The engine puts the
   * workload in front.
   */
  readonly where: string;

  /** What the program is, in whole-pod messages: `withProxy (Envoy)`. */
  readonly purpose: string;

  /**
   * The user described the container (`withSidecar`): what it binds may not all be declared or
   * in `boundPorts`, so the whole-pod port checks add the ports its image is known to bind
   * undeclared (engine/known-ports.ts), as for any container the library did not describe.
   * @default false - a program of this library: every port it binds is declared or in boundPorts
   */
  readonly userDescribed?: boolean;

  /**
   * The container name; every name the engine generates for the program (volumes, the
   * one-time init container, the checksum annotation, the construct id) starts with it.
   */
  readonly name: string;

  /** The long-running container, if any (a program on a Job may have only `init`). */
  readonly sidecar?: ProgramSidecar;

  /** A one-time init container, `<name>-init`, that runs to completion before the app starts. */
  readonly init?: ProgramContainer;

  /** Configuration files: a ConfigMap `<name>-config`, with their checksum on the pod template. */
  readonly config?: ProgramConfig;

  /** Volumes the program's containers mount read-only, named `<name>-<suffix>`. */
  readonly volumes?: ProgramVolume[];

  /**
   * emptyDirs shared with the app containers; mounted at `path` in every container of the
   * program and at `appPath` in the app containers.
   */
  readonly sharedVolumes?: ProgramSharedVolume[];

  /** How to move each port the program listens on, quoted when one clashes. */
  readonly portHints?: ReadonlyArray<{ readonly number: number; readonly hint: string }>;

  /** The pod's fsGroup, unless the user chose one. */
  readonly fsGroup?: number;

  /** `shareProcessNamespace: true` on the pod. */
  readonly shareProcessNamespace?: boolean;

  /** A Role for the pod's service account (one is made if the pod has none). */
  readonly rbac?: ProgramRbac;

  /** Pod labels the program reads (through the downward API): they must exist at synthesis. */
  readonly podLabels?: string[];

  /** Environment variables for app containers (the endpoint of the program, say). */
  readonly appEnv?: ProgramAppEnv;

  /** Paths on app ports the program calls from inside the pod, which no proxy may forward. */
  readonly internalPaths?: readonly InternalPath[];
}
