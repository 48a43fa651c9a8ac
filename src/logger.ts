/** Log levels, lowest to most verbose. */
export type LogLevel = 'error' | 'warning' | 'info' | 'verbose';

/** Receives every log line at or below the configured level. */
export type LogCallback = (level: LogLevel, message: string, containsPii: boolean) => void;

/** Logger options on the client. */
export interface LoggerOptions {
  /** Default: `'warning'`. */
  level?: LogLevel;
  /** Where lines go. Default: nowhere (a library should not write to the console uninvited). */
  callback?: LogCallback;
}

const rank: Record<LogLevel, number> = { error: 0, warning: 1, info: 2, verbose: 3 };

/**
 * Small levelled logger. Lines that may hold personal data go through {@link Logger.pii},
 * which drops them unless `enablePiiLog` is on; secrets (tokens, codes, verifiers,
 * passwords) are never passed to the logger at all.
 */
export class Logger {
  readonly #level: number;
  readonly #callback: LogCallback | undefined;
  readonly #pii: boolean;

  constructor(options: LoggerOptions = {}, enablePiiLog = false) {
    this.#level = rank[options.level ?? 'warning'];
    this.#callback = options.callback;
    this.#pii = enablePiiLog;
  }

  #emit(level: LogLevel, message: string, containsPii: boolean): void {
    if (this.#callback && rank[level] <= this.#level) this.#callback(level, `keyward: ${message}`, containsPii);
  }

  error(message: string): void {
    this.#emit('error', message, false);
  }
  warning(message: string): void {
    this.#emit('warning', message, false);
  }
  info(message: string): void {
    this.#emit('info', message, false);
  }
  verbose(message: string): void {
    this.#emit('verbose', message, false);
  }

  /** A line with personal data (usernames, account ids): only when `enablePiiLog` is on. */
  pii(level: LogLevel, message: string): void {
    if (this.#pii) this.#emit(level, message, true);
  }
}
