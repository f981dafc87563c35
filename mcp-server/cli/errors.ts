/** A mistake the user can fix (bad flag, missing file): exit code 1 with a one-line message. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UserError";
  }
}
