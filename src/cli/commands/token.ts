import { fail } from "../../errors.js";
import { cacheBustToken } from "../../http/bust-token.js";
import type { Command } from "../command.js";

/** `vite-rolling token`: the bearer token of `POST /cache/bust`, derived from the secret. */
const token: Command = {
  name: "token",
  summary: "print the bearer token of POST /cache/bust (from SECRET_KEY or --secret)",
  usage: [
    "Usage: vite-rolling token [--secret <secret>]",
    "",
    "Prints the token /cache/bust accepts: hex HMAC-SHA256 of a fixed label, keyed by the",
    "secret. The secret comes from --secret, else the SECRET_KEY environment variable.",
    "Prefer SECRET_KEY: a --secret value is visible to other users in the process list.",
    "",
    "Example:",
    '  curl -X POST https://app.example/cache/bust -H "Authorization: Bearer $(npx vite-rolling token)"',
  ].join("\n"),
  async run(args, io) {
    const flag = args.flags.secret;
    if (flag === true) {
      fail("cli", "--secret needs a value: --secret <secret> (or set SECRET_KEY).", {
        code: "ERR_CLI_USAGE",
      });
    }
    const secret = flag ?? io.env.SECRET_KEY ?? "";
    if (secret === "") {
      fail(
        "cli",
        "no secret: set the SECRET_KEY environment variable (the same one the server reads) or pass --secret <secret>.",
        { code: "ERR_HTTP_NO_SECRET" },
      );
    }
    io.out(cacheBustToken(secret));
    return 0;
  },
};

export default token;
