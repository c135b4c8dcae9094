// Errors named for what failed: terminal ones are recorded and acked, transient ones are thrown so Pub/Sub retries.

/** What an error was about; every field optional so each layer adds what it knows. */
export interface ErrorContext {
  object?: string;
  generation?: string;
  table?: string;
  loadId?: string;
  file?: string;
  line?: number;
}

export class LandfallError extends Error {
  readonly retryable: boolean;
  readonly context: ErrorContext;

  constructor(message: string, options: { retryable: boolean; context?: ErrorContext; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.retryable = options.retryable;
    this.context = options.context ?? {};
  }
}

/** The input is wrong (a bad file, a count that disagrees): retrying cannot help. */
export class TerminalError extends LandfallError {
  constructor(message: string, context?: ErrorContext, cause?: unknown) {
    super(message, { retryable: false, context, cause });
  }
}

/** Something around us failed (a lock, a network call): the same work may succeed later. */
export class TransientError extends LandfallError {
  constructor(message: string, context?: ErrorContext, cause?: unknown) {
    super(message, { retryable: true, context, cause });
  }
}

/** One problem in a configuration file, with where it is. */
export interface ConfigProblem {
  file: string;
  line: number;
  message: string;
}

/** Every problem found in the configuration, reported at once. */
export class ConfigError extends LandfallError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(
      `${problems.length} configuration problem(s):\n` +
        problems.map((p) => `  ${p.file}:${p.line}: ${p.message}`).join('\n'),
      { retryable: false },
    );
    this.problems = problems;
  }
}
