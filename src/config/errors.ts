/**
 * The error of a configuration document: an `MvxConfigError` whose message starts with the path
 * (`contexts["orders.api"].sink: unknown sink "audit"`), prefixed by the file when there is one.
 *
 * @module
 */
import { MvxConfigError } from '../index.ts';

/** A configuration document is invalid. `option` is the path; `file` the document's file, when read from one. */
export class ConfigDocumentError extends MvxConfigError {
  /** The file the document was read from, when it was. */
  readonly file: string | undefined;

  constructor(path: string, message: string, options: { file?: string; cause?: unknown } = {}) {
    super(path, message, options.cause === undefined ? {} : { cause: options.cause });
    this.file = options.file;
    this.message = `${options.file === undefined ? '' : `${options.file}: `}${path}: ${message}`;
  }

  /** The same error, naming the file it came from. */
  inFile(file: string): ConfigDocumentError {
    const raw = this.message.slice(this.message.indexOf(`${this.option}: `) + this.option.length + 2);
    return new ConfigDocumentError(this.option, raw, { file, cause: this.cause });
  }
}
