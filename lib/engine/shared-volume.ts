import { Size } from 'cdk8s';
import { kplus } from './kplus';

/**
 * A pod-level emptyDir shared by a sidecar and the app containers.
 *
 * Asking twice for one name returns the same volume, so two sidecars (or a sidecar and its
 * one-time init container) can share a folder.
 */
export interface SharedVolumeOptions {
  /** The pod-level volume name, a DNS-1123 label. */
  readonly name: string;

  /** Where the sidecar mounts the volume (absolute). */
  readonly path: string;

  /**
   * Mount it read-only in the sidecar.
   * @default false
   */
  readonly readOnly?: boolean;

  /**
   * Where the app containers mount the volume (absolute).
   * @default - the sidecar's `path`
   */
  readonly appPath?: string;

  /**
   * Mount it read-only in the app containers. A consumer that only reads a folder another
   * container writes should mount it read-only.
   * @default false
   */
  readonly appReadOnly?: boolean;

  /**
   * The containers (or init containers) that mount the volume at `appPath`, by name. Pass `[]`
   * to keep the volume to the sidecar.
   * @default - every container of the pod, at this call, that is not a sidecar of this library
   */
  readonly appContainers?: string[];

  /**
   * The emptyDir medium. `kplus.EmptyDirMedium.MEMORY` is a tmpfs that counts against the
   * memory limit of the containers writing to it.
   * @default kplus.EmptyDirMedium.DEFAULT
   * @see https://kubernetes.io/docs/concepts/storage/volumes/#emptydir
   */
  readonly medium?: kplus.EmptyDirMedium;

  /**
   * The most the volume may hold; past it the kubelet evicts the pod. An emptyDir without a
   * limit can fill the node's disk.
   * @default - no limit
   */
  readonly sizeLimit?: Size;
}

/** A shared volume as a sidecar mounted it. */
export interface SharedVolume {
  /** The pod-level emptyDir volume. */
  readonly volume: kplus.Volume;
  /** Where the sidecar mounts it. */
  readonly path: string;
  /** Where the app containers mount it. */
  readonly appPath: string;
  /** The containers that mount it at `appPath`. */
  readonly appContainers: kplus.Container[];
}
