/**
 * The nginx serializer: values are quoted so that no string can end a directive, open a block
 * or start a comment. Checked by reading back with the real nginx: hostile strings used as
 * a `return` body come back byte for byte, and as a location they leave one server block.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import fc from 'fast-check';
import { freePort, nginxBinary, sleep, tempRoot } from './real-nginx';
import { block, directive, entry, quote, renderNginx, token, value } from '../../lib/proxy/nginx-conf';

const NGINX = nginxBinary();
if (!NGINX) throw new Error('nginx is not installed: .ci/run installs it with apt-get install nginx');

const HOSTILE = [
  '"; } server { listen 1; } #',
  'a\';\nb',
  'x\\"; return 500; #',
  '{{ .Values }} ${HOME} `id`',
  'line1\nline2\r\n\ttabbed',
  'ends with backslash\\',
  '#not a comment',
  ': key: value',
  'ünïcødé ✓',
];

describe('nginx serializer', () => {
  test('writes blocks, directives, map entries and comments', () => {
    const text = renderNginx([
      directive('worker_processes', 1),
      block('http', [], [
        { ...directive('access_log', token('off')), comment: 'no\nlogs' },
        block('map', [token('$http_upgrade'), token('$c')], [directive('default', 'upgrade'), entry('', 'close')]),
      ]),
    ], ['header']);
    expect(text).toBe([
      '# header',
      'worker_processes 1;',
      'http {',
      '    # no logs',
      '    access_log off;',
      '    map $http_upgrade $c {',
      '        default "upgrade";',
      '        "" "close";',
      '    }',
      '}',
      '',
    ].join('\n'));
  });

  test('quotes every string and escapes backslash, quote, line breaks and tabs', () => {
    expect(quote('a"b\\c\nd\re\tf')).toBe('"a\\"b\\\\c\\nd\\re\\tf"');
    expect(value('; }')).toBe('"; }"');
  });

  test('fails when a string holds a control character nginx cannot read', () => {
    expect(() => quote('a\u0000b')).toThrow('U+0000');
    expect(() => quote('bell\u0007')).toThrow('U+0007');
  });

  test('fails when a token holds a character nginx treats specially', () => {
    for (const bad of ['on;', 'a b', '{', '"x"', '#', 'a\\b']) {
      expect(() => value(token(bad))).toThrow('treats specially');
    }
  });

  test('fails when a directive name is not one', () => {
    expect(() => renderNginx([directive('listen 80; #')])).toThrow('is not a directive name');
    expect(() => renderNginx([{ name: '', args: [] }])).toThrow('is not a directive name');
  });

  test('a quoted string has no unescaped quote and no raw line break (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => {
      // eslint-disable-next-line no-control-regex
      fc.pre(!/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s));
      const q = quote(s);
      const inner = q.slice(1, -1);
      expect(q.startsWith('"') && q.endsWith('"')).toBe(true);
      expect(/[\n\r\t]/.test(inner)).toBe(false);
      // Every quote inside is escaped: strip escaped pairs, nothing special is left.
      expect(inner.replace(/\\./g, '')).not.toMatch(/["\\]/);
    }), { numRuns: 500 });
  });

  describe('read back by the real nginx', () => {
    let root: string;
    beforeAll(() => { root = tempRoot('nginx-conf-'); });
    afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

    const skeleton = (port: number, locations: ReturnType<typeof block>[]) => renderNginx([
      directive('pid', path.join(root, 'nginx.pid')),
      directive('error_log', token('stderr')),
      block('events', [], []),
      block('http', [], [
        directive('access_log', token('off')),
        directive('client_body_temp_path', path.join(root, 'client')),
        directive('proxy_temp_path', path.join(root, 'proxy')),
        directive('fastcgi_temp_path', path.join(root, 'fastcgi')),
        directive('uwsgi_temp_path', path.join(root, 'uwsgi')),
        directive('scgi_temp_path', path.join(root, 'scgi')),
        block('server', [], [directive('listen', token(`127.0.0.1:${port}`)), ...locations]),
      ]),
    ]);

    test('hostile strings as locations leave the structure intact (nginx -t, one server)', () => {
      const file = path.join(root, 'locations.conf');
      fs.writeFileSync(file, skeleton(1, HOSTILE.map((h) => block('location', [token('='), `/${h}`], [directive('return', 204)]))));
      const result = spawnSync(NGINX, ['-t', '-c', file, '-p', `${root}/`, '-e', 'stderr'], { encoding: 'utf8' });
      expect(result.stderr).toContain('test is successful');
      // nginx -T prints the configuration as parsed: still one server, one listen.
      const dump = spawnSync(NGINX, ['-T', '-c', file, '-p', `${root}/`, '-e', 'stderr'], { encoding: 'utf8' }).stdout;
      expect(dump.match(/^\s*server \{/gm)).toHaveLength(1);
      expect(dump.match(/^\s*listen /gm)).toHaveLength(1);
    });

    test('hostile strings as return bodies come back byte for byte', async () => {
      const port = await freePort();
      const file = path.join(root, 'bodies.conf');
      // `$` starts a variable in `return`; the renderer never passes data to directives that expand them.
      const bodies = HOSTILE.map((h) => h.replace(/\$/g, ''));
      fs.writeFileSync(file, skeleton(port, bodies.map((b, i) => block('location', [token('='), `/${i}`], [directive('return', 200, b)]))));
      const out = fs.openSync(path.join(root, 'out'), 'w');
      const child = spawn(NGINX, ['-c', file, '-p', `${root}/`, '-e', 'stderr', '-g', 'daemon off;'], { stdio: ['ignore', out, 'inherit'] });
      fs.closeSync(out);
      try {
        const get = (p: string) => new Promise<Buffer>((resolve, reject) => {
          http.get({ host: '127.0.0.1', port, path: p, agent: false }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => resolve(Buffer.concat(chunks)));
          }).on('error', reject);
        });
        for (let attempt = 0; ; attempt++) {
          try {
            await get('/0');
            break;
          } catch (e) {
            if (attempt > 100) throw e;
            await sleep(50);
          }
        }
        for (const [i, b] of bodies.entries()) {
          expect((await get(`/${i}`)).toString('utf8')).toBe(b);
        }
      } finally {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
    });
  });
});
