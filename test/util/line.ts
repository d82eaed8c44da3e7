/**
 * The cdk8s-plus line the tests run on. The tests import cdk8s-plus-28; the jest config of each
 * other line (test/jest-plus-XX.json) maps that import to the line, so the line is read from the
 * jsii type information of the module actually loaded.
 */
import * as kplus from 'cdk8s-plus-28';

const rtti = (kplus.AbstractPod as unknown as Record<symbol, { fqn: string; version: string }>)[Symbol.for('jsii.rtti')];

/** The package (`cdk8s-plus-33`), its version and its line number (33). */
export const LINE = {
  package: rtti.fqn.split('.')[0],
  version: rtti.version,
  number: Number(rtti.fqn.split('.')[0].replace('cdk8s-plus-', '')),
};

/**
 * What each line renders on its own for pod and workload fields the library leaves alone
 * (README "Compatibility"). cdk8s-plus-31 and later write `shareProcessNamespace: false` into
 * every pod and `revisionHistoryLimit: 10` into every Deployment; cdk8s-plus-28 writes neither.
 */
export const RENDERED_DEFAULTS: { shareProcessNamespace: false | undefined; revisionHistoryLimit: number | undefined } = LINE.number >= 31
  ? { shareProcessNamespace: false, revisionHistoryLimit: 10 }
  : { shareProcessNamespace: undefined, revisionHistoryLimit: undefined };
