import { Size } from 'cdk8s';
import { FLUENT_BIT_IMAGE, UpstreamImage, VECTOR_IMAGE } from '../engine/images';
import { checkFactoryOptions } from '../engine/input';
import { keyedByValue } from '../engine/options-key';

/**
 * The program that ships the logs.
 */
export class LogShipperEngine {
  /**
   * Fluent Bit (C, a few MB of memory): the default. Configured in its YAML format.
   * @see https://docs.fluentbit.io/manual/administration/configuring-fluent-bit/yaml
   */
  public static readonly FLUENT_BIT = new LogShipperEngine('fluent-bit', 'Fluent Bit', FLUENT_BIT_IMAGE, 2020, 'fluent-bit.yaml');

  /**
   * Vector (Rust): end-to-end acknowledgements (a file checkpoint moves only once every output
   * has the line) and VRL for parsing. Configured in YAML.
   * @see https://vector.dev/docs/reference/configuration/
   */
  public static readonly VECTOR = new LogShipperEngine('vector', 'Vector', VECTOR_IMAGE, 8686, 'vector.yaml');

  private constructor(
    /** A short identifier: `fluent-bit` or `vector`. */
    public readonly id: 'fluent-bit' | 'vector',
    /** The program's name, for messages. */
    public readonly displayName: string,
    /** The pinned upstream image, with the user it runs as. */
    public readonly image: UpstreamImage,
    /**
     * The port of its HTTP endpoint, where the probes go: Fluent Bit's built-in HTTP server
     * (`service.http_port`, 2020 by default) or Vector's API (`api.address`, port 8686 by default).
     */
    public readonly defaultHealthPort: number,
    /** The configuration file name; the extension tells Fluent Bit which format it is in. */
    public readonly configFileName: string,
  ) {}
}

/** @internal */
export type LogBufferSpec =
  | { readonly kind: 'memory'; readonly maxSize?: Size }
  | { readonly kind: 'filesystem'; readonly maxSize?: Size };

/** Options of `LogBuffer.memory` and `LogBuffer.filesystem`. */
export interface LogBufferOptions {
  /**
   * How much the buffer holds.
   * @default - memory: Fluent Bit 16MiB (`mem_buf_limit`), Vector 500 events a sink; filesystem:
   * Fluent Bit 128MiB in all, Vector 256MiB a sink (each engine's documented default or minimum)
   */
  readonly maxSize?: Size;
}

/**
 * Where the shipper keeps records it has read but not yet delivered.
 *
 * Either way, while the buffer is full the shipper stops reading the files (they stay on the
 * log folder, which is why that folder needs room) and resumes where it stopped.
 */
export class LogBuffer {
  /**
   * In memory.
   *
   * Fluent Bit: `mem_buf_limit` on the tail input (default 16MiB); records read but not yet
   * delivered are lost when the shipper container restarts, since its file offsets have moved
   * past them. Vector: a memory buffer per sink (`max_size`, default 500 events) with end-to-end
   * acknowledgements, so a file checkpoint only moves once every sink has the line: nothing is
   * lost on a restart.
   *
   * @see https://docs.fluentbit.io/manual/administration/buffering-and-storage
   * @see https://vector.dev/docs/architecture/end-to-end-acknowledgements/
   */
  public static memory(options: LogBufferOptions = {}): LogBuffer {
    checkFactoryOptions('LogBuffer.memory', 'LogBufferOptions', options);
    return new LogBuffer({ kind: 'memory', maxSize: options.maxSize });
  }

  /**
   * On the shipper's state emptyDir, which survives a restart of the shipper container.
   *
   * Fluent Bit: `storage.type: filesystem`, `storage.total_limit_size` per output (default
   * 128MiB in all). Vector: a disk buffer per sink, at least 256MiB each (Vector's minimum).
   * The state emptyDir's `sizeLimit` is set above the total.
   *
   * @see https://docs.fluentbit.io/manual/administration/buffering-and-storage
   * @see https://vector.dev/docs/reference/configuration/sinks/loki/#buffer
   */
  public static filesystem(options: LogBufferOptions = {}): LogBuffer {
    checkFactoryOptions('LogBuffer.filesystem', 'LogBufferOptions', options);
    return new LogBuffer({ kind: 'filesystem', maxSize: options.maxSize });
  }

  private constructor(
    /** @internal */
    public readonly spec: LogBufferSpec,
  ) {}
}

// Options compare by value in the plan cache (engine/options-key.ts): all their state is in their own properties.
keyedByValue(LogShipperEngine, LogBuffer);
