import { kplus } from './kplus';
import { keyedByValue } from './options-key';
import { ProgramVolume } from './program';
import { describeValue } from './validation/syntax';

/**
 * A CA certificate to trust, in PEM, for an endpoint reached over `https` (a log shipper's
 * output, a collector's exporter). It is mounted read-only into that sidecar only; the system CAs
 * of the image stay trusted too.
 *
 * @example TlsCa.fromConfigMap(kplus.ConfigMap.fromConfigMapName(chart, 'ca', 'corp-ca'), 'ca.crt')
 */
export class TlsCa {
  /** A key of a ConfigMap (a CA is public: a ConfigMap is the usual place). */
  public static fromConfigMap(configMap: kplus.IConfigMap, key: string): TlsCa {
    checkKey('TlsCa.fromConfigMap', 'ConfigMap', key);
    return new TlsCa({ kind: 'configMap', configMap, key });
  }

  /** A key of a Secret (for example the `ca.crt` of a cert-manager Certificate's Secret). */
  public static fromSecret(secret: kplus.ISecret, key: string): TlsCa {
    checkKey('TlsCa.fromSecret', 'Secret', key);
    return new TlsCa({ kind: 'secret', secret, key });
  }

  private constructor(
    /** @internal */
    public readonly source:
    | { readonly kind: 'configMap'; readonly configMap: kplus.IConfigMap; readonly key: string }
    | { readonly kind: 'secret'; readonly secret: kplus.ISecret; readonly key: string },
  ) {}
}

/** A JavaScript caller's key is text before anything reads it (its form is checked with the program that mounts it). */
function checkKey(factory: string, what: string, key: unknown): void {
  if (typeof key !== 'string') throw new Error(`${factory}: key must be a string, a key of the ${what} (got ${describeValue(key)})`);
}

/** The program volume that mounts `ca` read-only at `dir` as `ca.crt`, the `index`-th CA of the program. */
export function caVolume(ca: TlsCa, dir: string, index: number): ProgramVolume {
  const source = ca.source;
  const items = { [source.key]: { path: 'ca.crt' } };
  return {
    suffix: `ca-${index}`,
    path: dir,
    source: source.kind === 'configMap'
      ? { kind: 'configMap', configMap: source.configMap, items }
      : { kind: 'secret', secret: source.secret, items },
  };
}

// Options compare by value in the plan cache (engine/options-key.ts): all their state is in their own properties.
keyedByValue(TlsCa);
