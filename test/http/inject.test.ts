/**
 * Where the version tags go in a page the application rendered, as plain data: the first
 * `</head>` in any case and spacing, never a look-alike, never a page that carries its own
 * version meta in its head (issue 15 rewrote the search; these pin what it finds).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { injectVersionTags, isHtmlType, isIdentityEncoding } from "../../src/http/inject.js";

const TAGS = '<meta name="app-version" content="v1">';
const tags = () => TAGS;

describe("injectVersionTags", () => {
  it.each([
    ["mixed case", "<Head></Head><body></body>", `<Head>${TAGS}</Head><body></body>`],
    ["a newline before >", "<head></head\n><body></body>", `<head>${TAGS}</head\n><body></body>`],
    ["tabs and spaces before >", "<head></head \t ><p>", `<head>${TAGS}</head \t ><p>`],
    [
      "an upper-case close before a lower-case one",
      "<HEAD></HEAD><template></head></template>",
      `<HEAD>${TAGS}</HEAD><template></head></template>`,
    ],
    [
      "past look-alikes (</header>, </heading, </head without >)",
      "<head><x-a></header></heading></head x></head></head>",
      `<head><x-a></header></heading></head x>${TAGS}</head></head>`,
    ],
    [
      "a version meta in the body (only the head's counts)",
      '<head></head><body><meta name="app-version" content="v0"></body>',
      `<head>${TAGS}</head><body><meta name="app-version" content="v0"></body>`,
    ],
    [
      "a meta of another name",
      '<head><meta name="app-version-x" content="v0"></head>',
      `<head><meta name="app-version-x" content="v0">${TAGS}</head>`,
    ],
  ])("inserts before the first </head> with %s", (_label, html, expected) => {
    expect(injectVersionTags(html, tags)).toBe(expected);
  });

  it.each([
    ["a version meta, single-quoted", "<head><meta content='v0' name='app-version'></head>"],
    ["a version meta, upper case and spaced", "<HEAD><META NAME = APP-VERSION content=v0></HEAD>"],
    ["a self-closed unquoted version meta", "<head><meta content=v0 name=app-version/></head>"],
    ["a close tag that never ends", "<head></head"],
    ["only an opening head", "<html><head><title>t</title>"],
  ])("leaves a page with %s unchanged", (_label, html) => {
    expect(injectVersionTags(html, tags)).toBe(html);
  });
});

describe("isHtmlType", () => {
  it.each([
    ["text/html", true],
    ["  TEXT/HTML; charset=utf-8", true],
    ["text/htmlx", false],
    ["application/json; charset=utf-8", false],
    ["Text/HTML", true],
    ["\u00a0text/html", true],
    ["text/html_x", false],
    ["text/html-x", true],
    ["xtext/html", false],
    ["", false],
    [undefined, false],
    [["text/html"], false],
  ])("%s: %s", (type, expected) => {
    expect(isHtmlType(type)).toBe(expected);
  });

  it("reads a Content-Type as /^\\s*text\\/html\\b/i does, whatever the string", () => {
    const pieces = [
      "text/html",
      "TEXT/HTML",
      "text/htm",
      " ",
      "\t",
      "\u00a0",
      "\u2028",
      ";",
      "_",
      "-",
      "x",
      "T",
      "l",
    ];
    const type = fc.oneof(
      fc.string(),
      fc.array(fc.constantFrom(...pieces), { maxLength: 5 }).map((parts) => parts.join("")),
    );
    fc.assert(
      fc.property(type, (t) => isHtmlType(t) === /^\s*text\/html\b/i.test(t)),
      { numRuns: 2000 },
    );
  });
});

describe("isIdentityEncoding", () => {
  it.each([
    [undefined, true],
    [null, true],
    ["", true],
    ["identity", true],
    ["gzip", false],
    ["br", false],
    ["IDENTITY, gzip", false],
  ])("%s: %s", (encoding, expected) => {
    expect(isIdentityEncoding(encoding)).toBe(expected);
  });
});
