// RFC 9110 field-value without obs-text: visible ASCII, inner spaces only.
const SAFE_HEADER_VALUE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

/**
 * A header value Node will send and no client will split: visible ASCII and inner spaces.
 * Node throws (a 500) on CR/LF and on characters outside Latin-1, so a value that fails this
 * is refused or dropped before it reaches a response.
 *
 * @example isSafeHeaderValue("v1.2.3") // true; isSafeHeaderValue("v1\r\nSet-Cookie: x") // false
 */
export function isSafeHeaderValue(value: string): boolean {
  return SAFE_HEADER_VALUE.test(value);
}
