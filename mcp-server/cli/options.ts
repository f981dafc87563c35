import { InvalidArgumentError } from "commander";
import { AsOfError, resolveAsOf } from "../asOf.js";

/** Commander parser for a positive whole number option. */
export function parsePositiveInteger(flag: string): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value) || Number(value) <= 0)
      throw new InvalidArgumentError(`${flag} must be a whole number above 0`);
    return Number(value);
  };
}

/** Commander parser for `--as-of YYYY-MM-DD`. */
export function parseAsOfOption(value: string): Date {
  try {
    return resolveAsOf(value);
  } catch (error) {
    if (error instanceof AsOfError) throw new InvalidArgumentError(error.message);
    throw error;
  }
}
