import { Transform, type TransformCallback, type Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { formatTextLine, plainLine, type PrettyOptions } from './pretty';

/** A line longer than this is passed through in pieces rather than held (a runaway input). */
const MAX_PENDING_CHARS = 64 * 1024 * 1024;

export type PrettyStreamOptions = Omit<PrettyOptions, 'guidanceShown'> & {
  /** Print fix steps for every occurrence of a finding, not only the first. */
  repeatGuidance?: boolean;
};

/**
 * NDJSON in, the readable view out (like pino-pretty). Used by `--log-format pretty`, where pino
 * writes whole lines, and by the `pretty` command, where stdin arrives in arbitrary chunks.
 */
export class PrettyTransform extends Transform {
  private pending = '';
  private readonly decoder = new StringDecoder('utf8');
  private readonly options: PrettyOptions;

  constructor(options: PrettyStreamOptions) {
    super({ writableObjectMode: false });
    this.options = {
      color: options.color,
      onlyFindings: options.onlyFindings,
      guidanceShown: options.repeatGuidance ? undefined : new Set<string>(),
    };
  }

  override _transform(chunk: Buffer | string, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.pending += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    let newline = this.pending.indexOf('\n');
    while (newline !== -1) {
      this.emitLine(this.pending.slice(0, newline));
      this.pending = this.pending.slice(newline + 1);
      newline = this.pending.indexOf('\n');
    }
    if (this.pending.length > MAX_PENDING_CHARS) {
      this.emitLine(this.pending);
      this.pending = '';
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.pending += this.decoder.end();
    if (this.pending) this.emitLine(this.pending);
    this.pending = '';
    callback();
  }

  private emitLine(raw: string): void {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!text.trim()) return;
    let formatted: string | undefined;
    try {
      formatted = formatTextLine(text, this.options);
    } catch {
      formatted = plainLine(text); // never lose a line because the view could not render it
    }
    if (formatted !== undefined) this.push(`${formatted}\n`);
  }
}

/** A writable that renders into `out` (stdout for `--log-format pretty`). */
export function prettyTo(out: Writable, options: PrettyStreamOptions): PrettyTransform {
  const transform = new PrettyTransform(options);
  // stdout must never be ended by us: the process may still write to it.
  transform.pipe(out, { end: false });
  return transform;
}

/** Colours by default only when the output is a terminal that is not asked to stay plain. */
export function wantsColour(out: { isTTY?: boolean }, flag: boolean | undefined): boolean {
  if (flag !== undefined) return flag;
  return Boolean(out.isTTY) && !process.env.NO_COLOR;
}
