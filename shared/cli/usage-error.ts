/**
 * A usage or input error: the CLI prints its message and exits 2 (DESIGN.md: "2 bad usage or unreadable input").
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export const ExitCode = {
  /** Every certificate is ready for the asked purpose. */
  READY: 0,
  /** Some certificate is not. */
  NOT_READY: 1,
  /** Bad usage or unreadable input. */
  USAGE: 2,
} as const;
