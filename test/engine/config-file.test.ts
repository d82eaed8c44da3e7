import * as kplus from 'cdk8s-plus-28';
import { renderConfigFile } from '../../lib/engine/config-file';
import { PlainData, toYaml } from '../../lib/engine/config-yaml';
import { newApp } from '../util/synth';

/** A renderer that counts its calls, so a test sees which models were rendered and which were served from the cache. */
function countingRenderer() {
  const seen: unknown[] = [];
  const render = (model: unknown) => {
    seen.push(model);
    return toYaml(model as PlainData);
  };
  return { render, seen };
}

describe('renderConfigFile, the per-process file cache', () => {
  test('renders a model once, and gives its text', () => {
    const { render, seen } = countingRenderer();
    const first = renderConfigFile(render, { port: 8080, paths: ['/a', '/b'] });
    const second = renderConfigFile(render, { port: 8080, paths: ['/a', '/b'] });
    expect(second).toBe(first);
    expect(seen).toHaveLength(1);
    expect(first.text).toBe('port: 8080\npaths:\n  - /a\n  - /b\n');
  });

  test('renders every model that differs, in any field', () => {
    const { render, seen } = countingRenderer();
    const texts = [
      { port: 8080, paths: ['/a'] },
      { port: 8081, paths: ['/a'] },
      { port: 8080, paths: ['/a', '/b'] },
      { port: 8080, paths: ['/a'], extra: true },
    ].map((model) => renderConfigFile(render, model).text);
    expect(seen).toHaveLength(4);
    expect(new Set(texts).size).toBe(4);
  });

  test('renders each distinct model once, and finds older ones by key', () => {
    const { render, seen } = countingRenderer();
    const a = renderConfigFile(render, { port: 8080, paths: ['/a'], tls: { on: true } });
    expect(renderConfigFile(render, { port: 8080, paths: ['/a'], tls: { on: true } })).toBe(a);
    const b = renderConfigFile(render, { port: 8080, paths: ['/a'], tls: { on: false } });
    expect(b).not.toBe(a);
    expect(renderConfigFile(render, { port: 8080, paths: ['/a'], tls: { on: true } })).toBe(a);
    expect(seen).toHaveLength(2);
  });

  // The cache must never hand out the file of a model that only looks alike: the file served
  // is the one rendering the model itself gives.
  test.each<[string, unknown, unknown]>([
    ['a longer list', { v: ['/a'] }, { v: ['/a', '/b'] }],
    ['a shorter list', { v: ['/a', '/b'] }, { v: ['/a'] }],
    ['another key order', { a: 1, b: 2 }, { b: 2, a: 1 }],
    ['another key', { a: 1 }, { b: 1 }],
    ['an object for a list', { v: [] }, { v: {} }],
    ['a string for a number', { v: 1 }, { v: '1' }],
    ['a nested change', { v: [{ w: { x: true } }] }, { v: [{ w: { x: false } }] }],
  ])('keys models strictly: %s', (_, first, second) => {
    const { render } = countingRenderer();
    renderConfigFile(render, first);
    expect(renderConfigFile(render, second).text).toBe(toYaml(second as PlainData));
  });

  test('keeps renderers apart: one model, two renderers, two files', () => {
    const a = renderConfigFile((m: { n: number }) => `a ${m.n}\n`, { n: 1 });
    const b = renderConfigFile((m: { n: number }) => `b ${m.n}\n`, { n: 1 });
    expect([a.text, b.text]).toEqual(['a 1\n', 'b 1\n']);
  });

  // What JSON would drop or merge must not reach another model's file: the renderer sees it
  // (and toYaml refuses it) even after a model that JSON writes the same way was rendered.
  test.each<[string, unknown, unknown]>([
    ['NaN after null', { v: null }, { v: NaN }],
    ['Infinity after null', { v: null }, { v: Infinity }],
    ['an undefined list item after null', { v: [null] }, { v: [undefined] }],
    ['a function after a missing key', {}, { v: () => 1 }],
    ['a Date after its ISO string', { v: '2026-01-01T00:00:00.000Z' }, { v: new Date('2026-01-01T00:00:00.000Z') }],
    ['NaN after a string that looks like the key of NaN', { v: '\u0000number:NaN' }, { v: NaN }],
  ])('renders anew: %s', (_, first, second) => {
    const { render, seen } = countingRenderer();
    renderConfigFile(render, first);
    try {
      renderConfigFile(render, second);
    } catch {
      // toYaml refuses some of these: what matters is that the renderer was asked.
    }
    expect(seen).toEqual([first, second]);
  });

  test('keys constructs in a model by their path, without reading them', () => {
    const { chart } = newApp();
    const one = kplus.Secret.fromSecretName(chart, 'one', 'creds');
    const two = kplus.Secret.fromSecretName(chart, 'two', 'creds');
    const { seen } = countingRenderer();
    const render = (model: { env: string }) => {
      seen.push(model);
      return `env: ${model.env}\n`;
    };
    renderConfigFile(render, { env: 'TOKEN', secret: one });
    renderConfigFile(render, { env: 'TOKEN', secret: one });
    renderConfigFile(render, { env: 'TOKEN', secret: two });
    expect(seen).toHaveLength(2);
  });
});
