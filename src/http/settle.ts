import type { Answer, Handled } from "./contract.js";

/**
 * Applies what the core gave for a request, the same way in every adapter: `answer` sends an
 * answer, `proceed` hands the request to the application. Synchronous when the result is (the
 * common path: no promise, no microtask, no closure); after the promise otherwise, and the
 * returned promise carries its rejection. `answer` and `proceed` are the adapter's, made once;
 * `a` and `b` are the request's (its response, its `next`, ...).
 *
 * @example
 * return settle(core.handle(nodeFacts(req)), res, next, sendIt, proceed);
 */
export function settle<A, B, R>(
  handled: Handled,
  a: A,
  b: B,
  answer: (a: A, b: B, answer: Answer) => R,
  proceed: (a: A, b: B) => R,
): R | Promise<Awaited<R>> {
  // A promise R (an adapter's async side) is flattened by then(): what it resolves to is R's value.
  if (handled instanceof Promise)
    return handled.then((late) => (late ? answer(a, b, late) : proceed(a, b))) as Promise<
      Awaited<R>
    >;
  return handled ? answer(a, b, handled) : proceed(a, b);
}
