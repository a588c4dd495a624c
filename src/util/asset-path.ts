/**
 * Whether `file` is a relative output path as Vite writes them (`assets/index-4f2a.js`): no
 * leading "/", no "", "." or ".." segment, no backslash or control character, at most 1024
 * characters. Such a path cannot leave the output directory, and can be a Redis hash field or
 * an encoded file name as is. Both the registry (retained assets) and the request path (a URL
 * naming a retained file) use it, so what one stores the other can serve.
 * @example isAssetPath("assets/index-4f2a.js") // true
 * @example isAssetPath("../secret") // false
 */
export function isAssetPath(file: unknown): file is string {
  return (
    typeof file === "string" &&
    file.length > 0 &&
    file.length <= 1024 &&
    !file.startsWith("/") &&
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it rejects
    !/[\\\u0000-\u001f\u007f]/u.test(file) &&
    !file.split("/").some((part) => part === "" || part === "." || part === "..")
  );
}
