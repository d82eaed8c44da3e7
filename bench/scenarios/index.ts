import { Construct } from 'constructs';
import * as helpers from './helpers';
import * as light from './light';
import * as sidecars from './sidecars';

/** A comparison: the library's way and the hand-written way to the same objects. */
export interface Scenario {
  readonly title: string;
  readonly description: string;
  readonly lib: (scope: Construct, n: number) => void;
  readonly hand: (scope: Construct, n: number) => void;
  /**
   * Run by bench/run.ts before timing, with the library: returns (as JSON-able data) what the
   * hand-written side holds as literals, given to each hand-written process by `usePrepared`
   * (the library is not loaded there).
   */
  readonly prepare?: () => unknown;
  readonly usePrepared?: (data: any) => void;
}

export const SCENARIOS: Record<string, Scenario> = {
  light: {
    title: 'withSidecar ×3, small sidecars, against hand-written cdk8s-plus',
    description: 'Each Deployment gets three small sidecars through `withSidecar`, each one image, one declared port and its resources '
      + '(nothing rendered, no shared volume, no bound port: the library\'s own cost per call shows most); the hand-written side builds '
      + 'the same native sidecars with the restricted security context written out, with plain cdk8s-plus.',
    lib: light.withLibrary,
    hand: light.byHand,
  },
  sidecars: {
    title: 'withSidecar ×3 against hand-written cdk8s-plus',
    description: 'Each Deployment gets three sidecars (an exporter with a UDP port in the ledger, a proxy-like container with a loopback admin port, '
      + 'a log agent sharing a size-limited emptyDir with the app and keeping its own state volume) through `withSidecar`; the hand-written side '
      + 'builds the same native sidecars, resources, security contexts and volumes with plain cdk8s-plus.',
    lib: sidecars.withLibrary,
    hand: sidecars.byHand,
  },
  helpers: {
    title: 'withLogShipper + withProxy + withConfigSync against hand-written cdk8s-plus',
    description: 'Each Deployment gets a Fluent Bit log shipper (stdout), an Envoy proxy on 8443 and a git-sync config sync through the three helpers; '
      + 'the hand-written side builds the same three native sidecars, probes, volumes, fsGroup, checksum annotations and both ConfigMaps '
      + '(the configuration files as literal text) with plain cdk8s-plus.',
    lib: helpers.withLibrary,
    hand: helpers.byHand,
    prepare: helpers.prepare,
    usePrepared: helpers.usePrepared,
  },
};
