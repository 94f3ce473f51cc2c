/**
 * Errors meant for the person at the command line: the CLI prints the message
 * (one line, naming the file or value and the fix) without a stack trace and
 * exits with {@linkcode UserError.exitCode}.
 *
 * @module
 */

/** A problem with the user's input, configuration or environment (exit code 2). */
export class UserError extends Error {
  /** Process exit code the CLI uses for this error. */
  exitCode = 2;
  /** @param message one line: what was expected, what was found, and the fix */
  constructor(message: string) {
    super(message);
    this.name = "UserError";
  }
}

/** A dataset problem: missing folders, corrupt images, masks that don't match. */
export class DataError extends UserError {
  /** @param message one line naming the path and the fix */
  constructor(message: string) {
    super(message);
    this.name = "DataError";
  }
}

/** Training diverged or a checkpoint is unusable (exit code 3). */
export class TrainingError extends UserError {
  /** @param message one line naming the step, the term and what to do */
  constructor(message: string) {
    super(message);
    this.name = "TrainingError";
    this.exitCode = 3;
  }
}
