// Prints the README's error-code table from ERROR_CODES (src/errors.ts), the one source of the
// codes: `npx tsx scripts/errors-table.ts`, then paste under "## Errors". test/errors.test.ts
// fails when the two differ.
import { ERROR_CODES } from "../src/errors.js";

export function errorsTable(): string {
  const rows = Object.entries(ERROR_CODES).map(
    ([code, [meaning, fix]]) => `| \`${code}\` | ${meaning} | ${fix} |`,
  );
  return ["| code | meaning | fix |", "|---|---|---|", ...rows].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(errorsTable());
