/**
 * The one error type of the library. Messages read `[vite-rolling] [scope] what happened`,
 * say what was expected and received, and end with the fix.
 */
export class ViteRollingError extends Error {
  readonly scope: string;
  readonly code: string;

  constructor(scope: string, message: string, options: { cause?: unknown; code?: string } = {}) {
    super(`[vite-rolling] [${scope}] ${message}`, { cause: options.cause });
    this.name = "ViteRollingError";
    this.scope = scope;
    this.code = options.code ?? "ERR_VITE_ROLLING";
  }
}

/** Shorthand used everywhere a piece of the library fails in a way its caller can fix. */
export function fail(
  scope: string,
  message: string,
  options?: { cause?: unknown; code?: string },
): never {
  throw new ViteRollingError(scope, message, options);
}

/** A short, safe rendering of a value for an error message. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string")
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === "object") return "an object";
  if (typeof value === "function") return "a function";
  return `${typeof value} ${String(value)}`;
}

/** Logger contract: anything with warn (console works). */
export interface Logger {
  warn(message: string): void;
  info?(message: string): void;
}
