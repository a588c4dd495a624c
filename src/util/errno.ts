/** The `code` of a Node system error (`"ENOENT"`, `"EACCES"`...), or undefined for anything else. */
export function errnoCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | null | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

/** A failure's short reason for a message: its errno code when it has one, else its message. */
export function errnoReason(error: unknown): string {
  return errnoCode(error) ?? (error instanceof Error ? error.message : String(error));
}
