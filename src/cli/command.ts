/** One `vite-rolling` sub-command. `run` returns the exit code; output goes through `io`. */
export interface Command {
  name: string;
  summary: string;
  /** Full `--help` text of the command. */
  usage: string;
  run(args: ParsedArgs, io: CliIO): Promise<number>;
}

export interface CliIO {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface ParsedArgs {
  /** Positional arguments after the command name. */
  positionals: string[];
  /** `--name value` / `--name=value` / `--flag` (true), names as written (kebab-case). */
  flags: Record<string, string | true>;
}
