/**
 * A small serializer for nginx's configuration format.
 *
 * Configuration is built as a tree of directives and written here, never string-templated.
 * Every value that comes from data is written as a double-quoted string with `\` and `"`
 * escaped and line breaks and tabs written as the escapes nginx's parser reads back
 * (ngx_conf_file.c, ngx_conf_read_token: `\"`, `\'`, `\\`, `\t`, `\r`, `\n`), so no value can
 * end a directive, open a block or start a comment. Keywords, numbers and variable references
 * that the renderer itself writes are tokens, checked against a narrow pattern.
 *
 * @see https://nginx.org/en/docs/beginners_guide.html#conf_structure
 */
import { keyedByValue } from '../engine/options-key';

/** A bare word written as is: a keyword (`on`, `ssl`), a size, or a variable (`$host`). */
export class NginxToken {
  public constructor(public readonly text: string) {}
}

/** A bare word, for keywords, numbers with units and variable references written by the renderer. */
export function token(text: string): NginxToken {
  return new NginxToken(text);
}

/** One argument: a string (always quoted), an integer, or a token. */
export type NginxValue = string | number | NginxToken;

/**
 * A directive: `name args;` or `name args { block }`. An empty `name` writes the arguments
 * alone, as the entries of a `map` block are written (`"" close;`).
 */
export interface NginxDirective {
  readonly name: string;
  readonly args?: readonly NginxValue[];
  /** The directives of a block (`http { … }`); an empty array writes an empty block. */
  readonly block?: readonly NginxDirective[];
  /** A comment line written above the directive. */
  readonly comment?: string;
}

/** Shorthand for a directive. */
export function directive(name: string, ...args: NginxValue[]): NginxDirective {
  return { name, args };
}

/** A `map` entry: `key value;`, the key quoted like any string. */
export function entry(key: NginxValue, v: NginxValue): NginxDirective {
  return { name: '', args: [key, v] };
}

/** Shorthand for a block directive. */
export function block(name: string, args: NginxValue[], body: readonly NginxDirective[]): NginxDirective {
  return { name, args, block: body };
}

const DIRECTIVE_NAME = /^[a-z_][a-z0-9_]*$/;
// Tokens the renderer writes: keywords, `=`, `~*`, sizes/durations, addresses, URLs and variables.
// No whitespace, quotes, `;`, `{`, `}`, `#` or `\`: nothing that nginx's tokenizer treats specially.
const TOKEN = /^[A-Za-z0-9_$.:/=~*\-[\]]+$/;

/** The nginx text of `directives`, one directive a line, blocks indented by four spaces. */
export function renderNginx(directives: readonly NginxDirective[], header: string[] = []): string {
  const lines: string[] = header.map(comment);
  write(directives, 0, lines);
  return lines.join('\n') + '\n';
}

function write(directives: readonly NginxDirective[], depth: number, lines: string[]): void {
  const indent = '    '.repeat(depth);
  for (const d of directives) {
    if (d.name === '' ? (d.args ?? []).length === 0 || d.block !== undefined : !DIRECTIVE_NAME.test(d.name)) {
      throw new Error(`nginx serializer: ${JSON.stringify(d.name)} is not a directive name`);
    }
    if (d.comment !== undefined) {
      lines.push(indent + comment(d.comment));
    }
    const head = [...(d.name === '' ? [] : [d.name]), ...(d.args ?? []).map(value)].join(' ');
    if (d.block === undefined) {
      lines.push(`${indent}${head};`);
    } else {
      lines.push(`${indent}${head} {`);
      write(d.block, depth + 1, lines);
      lines.push(`${indent}}`);
    }
  }
}

/** One argument as nginx reads it. */
export function value(v: NginxValue): string {
  if (v instanceof NginxToken) {
    if (!TOKEN.test(v.text)) {
      throw new Error(`nginx serializer: token ${JSON.stringify(v.text)} holds a character nginx treats specially; write it as a string`);
    }
    return v.text;
  }
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) {
      throw new Error(`nginx serializer: ${v} is not an integer`);
    }
    return String(v);
  }
  return quote(v);
}

/**
 * A double-quoted nginx string that reads back as `s`. Control characters other than tab,
 * line feed and carriage return have no escape in nginx and are refused.
 */
export function quote(s: string): string {
  // eslint-disable-next-line no-control-regex
  const control = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.exec(s);
  if (control) {
    throw new Error(`nginx serializer: ${JSON.stringify(s)} holds the control character U+${control[0].charCodeAt(0).toString(16).padStart(4, '0')}, which nginx cannot read in a string`);
  }
  const escaped = s
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t');
  return `"${escaped}"`;
}

function comment(text: string): string {
  return `# ${text.replace(/[\r\n]+/g, ' ')}`.trimEnd();
}

// Options compare by value in the plan cache (engine/options-key.ts): all their state is in their own properties.
keyedByValue(NginxToken);
