/**
 * Positions of JSON syntax errors, in our own words: V8's messages differ across Node versions,
 * quote file content and carry no position for some errors on Node 20.
 */

/**
 * Where and what the first JSON syntax error of `text` is, as "unexpected "x" at line L, column
 * C". Every JSON file the library reads (manifests, config files, staticfiles.json) reports it so.
 * @example jsonSyntaxError('{"a": }') // 'unexpected "}" at line 1, column 7'
 */
export function jsonSyntaxError(text: string): string {
  const offset = jsonErrorOffset(text);
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  // Our own wording, not V8's: V8's differs across Node versions and quotes file content.
  const what =
    offset >= text.length
      ? "unexpected end of input"
      : `unexpected ${JSON.stringify(text[offset])}`;
  return `${what} at line ${line}, column ${column}`;
}

class Stop {
  constructor(readonly at: number) {}
}

/**
 * Offset of the first JSON syntax error in `text` (text.length for a premature end). Runs only
 * after JSON.parse failed: V8's messages carry no position for some errors on Node 20.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const stop = (): never => {
    throw new Stop(i);
  };
  const space = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const expect = (c: string) => {
    if (text[i] !== c) stop();
    i++;
  };
  const string = () => {
    expect('"');
    for (;;) {
      if (i >= text.length) stop();
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) stop();
      if (c === 0x5c) {
        i++;
        const e = text[i];
        if (e === "u") {
          for (let k = 1; k <= 4; k++) {
            i++;
            if (!/[0-9a-fA-F]/.test(text[i] ?? "")) stop();
          }
        } else if (e === undefined || !'"\\/bfnrt'.includes(e)) stop();
      }
      i++;
    }
  };
  const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const value = (): void => {
    space();
    const c = text[i];
    if (c === "{" || c === "[") {
      const close = c === "{" ? "}" : "]";
      i++;
      space();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === "{") {
          space();
          string();
          space();
          expect(":");
        }
        value();
        space();
        if (text[i] === ",") {
          i++;
          continue;
        }
        expect(close);
        return;
      }
    }
    if (c === '"') {
      string();
      return;
    }
    for (const word of ["true", "false", "null"]) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    number.lastIndex = i;
    if (!number.test(text)) stop();
    i = number.lastIndex;
  };
  try {
    value();
    space();
    if (i < text.length) stop();
    return text.length;
  } catch (error) {
    if (error instanceof Stop) return error.at;
    // Nesting deep enough to overflow the stack: report the end rather than fail twice.
    return text.length;
  }
}
