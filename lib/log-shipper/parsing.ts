/**
 * How the shipper turns lines into records: a parser for each line and the multiline rule that
 * first joins the lines of one record (a stack trace).
 */
import { keyedByValue } from '../engine/options-key';

/** @internal */
export type LogParserSpec =
  | { readonly kind: 'none' }
  | { readonly kind: 'json' }
  | { readonly kind: 'regex'; readonly pattern: string };

/**
 * How each log line (after multiline joining) becomes a record.
 *
 * With a parser, a line that parses becomes the parsed fields (the raw line is dropped); a line
 * that does not parse is shipped as it is. Without one, the line is shipped under `log`
 * (Fluent Bit) or `message` (Vector), the engines' own names.
 *
 * @example
 * withLogShipper(web, { logPath: '/var/log/app', parser: LogParser.json() });
 * withLogShipper(web, { logPath: '/var/log/nginx', parser: LogParser.regex('^(?<client>\\S+) \\S+ \\S+ \\[(?<time>[^\\]]+)\\] "(?<request>[^"]*)" (?<status>\\d{3})') });
 */
export class LogParser {
  /** Ship lines as they are. */
  public static none(): LogParser {
    return new LogParser({ kind: 'none' });
  }

  /**
   * Each line is a JSON object whose keys become the record's fields.
   * @see https://docs.fluentbit.io/manual/data-pipeline/parsers/json
   * @see https://vector.dev/docs/reference/vrl/functions/#parse_json
   */
  public static json(): LogParser {
    return new LogParser({ kind: 'json' });
  }

  /**
   * A regular expression whose named groups (`(?<name>...)`) become the record's fields. The
   * pattern must compile in JavaScript, Onigmo (Fluent Bit) and Rust's regex crate (Vector):
   * named groups, classes, anchors and quantifiers do; lookaround and backreferences do not
   * compile in Vector and are refused for it.
   *
   * After multiline joining a record spans lines: there `.` also matches a line break and `^`
   * and `$` match at every line, in both engines (the library adds `(?m)` for Fluent Bit's
   * Onigmo and `(?sm)` for Vector's Rust regex), so `(?<message>.*)$` takes the record to its
   * end. Line breaks at the very end of a joined record are removed before parsing.
   * @see https://docs.fluentbit.io/manual/data-pipeline/parsers/regular-expression
   * @see https://vector.dev/docs/reference/vrl/functions/#parse_regex
   */
  public static regex(pattern: string): LogParser {
    return new LogParser({ kind: 'regex', pattern });
  }

  private constructor(
    /** @internal */
    public readonly spec: LogParserSpec,
  ) {}
}

/** @internal */
export type LogMultilineSpec =
  | { readonly kind: 'builtin'; readonly language: 'java' | 'go' | 'python' }
  | { readonly kind: 'start'; readonly pattern: string };

/**
 * How the lines of one record are joined before parsing: stack traces and other messages that
 * span several lines.
 *
 * Fluent Bit has built-in multiline parsers for Java, Go and Python (state machines in
 * fluent/fluent-bit src/multiline/flb_ml_parser_{java,go,python}.c). Vector has none: its file
 * source joins lines with one start pattern, one condition pattern and a mode, and this library
 * gives it the closest rules to Fluent Bit's (documented on each factory).
 *
 * @see https://docs.fluentbit.io/manual/administration/configuring-fluent-bit/multiline-parsing
 * @see https://vector.dev/docs/reference/configuration/sources/file/#multiline
 */
export class LogMultiline {
  /**
   * Java (and C#) exceptions: the exception line and the `at ...`, `Caused by: ...`,
   * `... N more` lines after it. Vector: lines starting with whitespace, `Caused by:`,
   * `Suppressed:` or `... N more` continue the record that the previous line started.
   */
  public static java(): LogMultiline {
    return new LogMultiline({ kind: 'builtin', language: 'java' });
  }

  /**
   * Go panics: `panic: ...` and the goroutine dump after it. Vector: a record starts at
   * `panic: ` or `http: panic serving` and goes on through blank lines, indented lines,
   * `goroutine N [...]:` headers and function frames.
   */
  public static go(): LogMultiline {
    return new LogMultiline({ kind: 'builtin', language: 'go' });
  }

  /**
   * Python tracebacks: `Traceback (most recent call last):` to the exception line. Vector: the
   * record ends with the first line that starts like `ValueError:` (chained tracebacks become
   * one record each).
   */
  public static python(): LogMultiline {
    return new LogMultiline({ kind: 'builtin', language: 'python' });
  }

  /**
   * A new record starts at each line that matches `pattern` (typically the timestamp every log
   * line begins with); every other line belongs to the record before it. Works the same in both
   * engines, and is the most reliable choice when the app's line format is known. With any
   * multiline rule, the joined record has no line break at its end (both engines cut it), and a
   * `LogParser.regex` reads it across its lines.
   *
   * @example LogMultiline.startPattern('^\\d{4}-\\d{2}-\\d{2}[T ]')
   */
  public static startPattern(pattern: string): LogMultiline {
    return new LogMultiline({ kind: 'start', pattern });
  }

  private constructor(
    /** @internal */
    public readonly spec: LogMultilineSpec,
  ) {}
}

// Options compare by value in the plan cache (engine/options-key.ts): all their state is in their own properties.
keyedByValue(LogParser, LogMultiline);
