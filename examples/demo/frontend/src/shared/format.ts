import "../styles/shared.css";

/** Shared by every page entry, so Vite puts it in a shared chunk. */
export function stamp(label: string): string {
  const release = document.querySelector<HTMLMetaElement>('meta[name="app-version"]')?.content;
  return `${label}: bundle built for release ${builtFor}, page version ${release ?? "unknown"}`;
}

declare const __DEMO_RELEASE__: string;
/** Baked in at build time, so every release's JavaScript differs (and so does its build hash). */
export const builtFor = __DEMO_RELEASE__;
