/** A serve configuration that must not start (`--no-auth` on a public address, a port in use, an empty token). */
export class ServeConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ServeConfigError";
  }
}
