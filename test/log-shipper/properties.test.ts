/**
 * Properties over arbitrary user values: a fixed field or Loki label value either is refused at
 * the call with a clear message, or reaches the configuration verbatim, in its place, after a
 * YAML round-trip, without adding a key, an environment reference or a secret reference.
 */
import * as kplus from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import { parse } from 'yaml';
import { LogOutput, LogShipperEngine, withLogShipper } from '../../lib';
import { logShipperApp, nasty } from '../util/compositions';
import { newApp } from '../util/synth';

function render(engine: LogShipperEngine, value: string): { text: string; config: any } | Error {
  const result = logShipperApp(engine, value);
  return result instanceof Error ? result : { text: result.shipper.config, config: parse(result.shipper.config) };
}

describe.each([['Fluent Bit', LogShipperEngine.FLUENT_BIT], ['Vector', LogShipperEngine.VECTOR]] as const)('%s', (_name, engine) => {
  test('a fixed value is refused with a clear message, or lands verbatim where it was put', () => {
    fc.assert(fc.property(nasty, (value) => {
      const result = render(engine, value);
      if (result instanceof Error) {
        expect(result.message).toMatch(/withLogShipper: field "team" .* is not a plain value/);
        return;
      }
      const { text, config } = result;
      if (engine === LogShipperEngine.FLUENT_BIT) {
        expect(config.pipeline.filters[0].record).toEqual([`team ${value}`]);
        expect(config.pipeline.outputs[0].labels).toBe(`env=${value}`);
        // The only environment references are the shipper's own.
        expect([...text.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1])).toEqual([]);
      } else {
        expect(config.transforms.app_records.source).toBe(`.team = "${value}"\n`);
        expect(config.sinks.loki_0.labels).toEqual({ env: value });
        expect(text).not.toContain('SECRET[');
      }
      expect(Object.keys(config).sort()).toEqual(engine === LogShipperEngine.FLUENT_BIT ? ['pipeline', 'service'] : ['api', 'data_dir', 'sinks', 'sources', 'transforms']);
    }), { numRuns: 300 });
  });
});

test('URL paths and S3 key prefixes land verbatim in the configuration after a YAML round-trip', () => {
  fc.assert(fc.property(
    fc.stringMatching(/^(\/[a-z0-9-]{1,8}){0,3}$/),
    fc.stringMatching(/^([a-z0-9_=-][a-z0-9_.=-]{0,7}\/){0,3}$/),
    fc.constantFrom(LogShipperEngine.FLUENT_BIT, LogShipperEngine.VECTOR),
    (path, prefix, engine) => {
      const { chart } = newApp();
      const d = new kplus.Deployment(chart, 'web', { containers: [{ name: 'app', image: 'acme/app:1' }] });
      const shipper = withLogShipper(d, {
        logPath: '/var/log/app',
        engine,
        outputs: [LogOutput.loki({ url: `https://logs.example.com${path}` }), LogOutput.s3({ bucket: 'acme-logs', region: 'eu-west-1', keyPrefix: prefix })],
      });
      const config = parse(shipper.config);
      if (engine === LogShipperEngine.FLUENT_BIT) {
        expect(config.pipeline.outputs[0].uri).toBe(`${path}/loki/api/v1/push`);
        expect(config.pipeline.outputs[1].s3_key_format).toBe(`/${prefix}%Y/%m/%d/%H%M%S-$UUID.gz`);
      } else {
        expect(config.sinks.loki_0.path).toBe(`${path}/loki/api/v1/push`);
        expect(config.sinks.s3_0.key_prefix).toBe(`${prefix}%Y/%m/%d/`);
      }
    },
  ), { numRuns: 100 });
});
