import * as fc from 'fast-check';
import { parse } from 'yaml';
import { PlainData, toYaml } from '../../lib/engine/config-yaml';

/** What the emitter takes: JSON without -0 and with plain decimals only. */
const plainNumber = fc.oneof(fc.integer(), fc.integer({ min: -1_000_000, max: 1_000_000 }).map((n) => n / 100));
const plainData: fc.Arbitrary<PlainData> = fc.letrec<{ value: PlainData }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ unit: 'binary' }),
    fc.constantFrom('on', 'off', 'yes', 'No', 'y', 'N', 'true', 'False', 'null', '~', '0.0.0.0', '1:20', '2001-12-14', '0x1F', '010', '.inf', '<<',
      '- a', 'a: b', 'a #b', '#c', '@type', '${VAR}', 'SECRET[a.b]', '|', '>', '"q"', "'q'", ' lead', 'trail ', 'multi\nline\n', 'x\n\ny', 'tab\there',
      '\u2028', '\u0085', '\u007f', '\ufeff', 'https://loki.example.com:3100/x?y=1', 'a:', 'a: ', 'a:b', 'a::b', '/x:*'),
    plainNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string({ unit: 'binary', maxLength: 8 }), fc.constantFrom('on', 'y', '@type', 'a.b', '_k', '')), tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('toYaml, the configuration-file emitter', () => {
  test.each(['1.1', '1.2'] as const)('a YAML %s parser reads back exactly what was written', (version) => {
    fc.assert(fc.property(fc.oneof(fc.dictionary(fc.string({ unit: 'binary', maxLength: 8 }), plainData), fc.array(plainData)), (value) => {
      expect(parse(toYaml(value), { version, uniqueKeys: false })).toEqual(value);
    }), { numRuns: 1000 });
  });

  test('writes readable block YAML, quoting only what a YAML 1.1 reader would misread', () => {
    expect(toYaml({
      'service': { http_server: 'on', http_port: 2020, http_listen: '0.0.0.0', flush: 1 },
      'pipeline': { inputs: [{ 'name': 'tail', 'path': '/var/log/app/*.log', 'storage.type': 'filesystem' }] },
      '@type': 'type.googleapis.com/envoy.config.bootstrap.v3.Bootstrap',
      'source': '.a = 1\n.b = 2\n',
      'empty': {},
      'none': [],
    })).toBe([
      'service:',
      '  http_server: "on"',
      '  http_port: 2020',
      '  http_listen: "0.0.0.0"',
      '  flush: 1',
      'pipeline:',
      '  inputs:',
      '    - name: tail',
      '      path: /var/log/app/*.log',
      '      storage.type: filesystem',
      '"@type": type.googleapis.com/envoy.config.bootstrap.v3.Bootstrap',
      'source: |',
      '  .a = 1',
      '  .b = 2',
      'empty: {}',
      'none: []',
      '',
    ].join('\n'));
  });

  test('leaves out keys whose value is undefined', () => {
    expect(toYaml({ a: 1, b: undefined, c: { d: undefined } })).toBe('a: 1\nc: {}\n');
  });

  test.each([[Infinity], [NaN], [1e21]])('fails when a number cannot be written plainly (%p)', (n) => {
    expect(() => toYaml({ n })).toThrow(/cannot write the number/);
  });
});
