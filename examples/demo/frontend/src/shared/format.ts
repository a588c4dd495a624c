import "../styles/shared.css";

/** Shared by every page entry, so Vite puts it in a shared chunk. */
export function stamp(label: string): string {
  const release = document.querySelector<HTMLMetaElement>('meta[name="app-version"]')?.content;
  return `${label} (front end ${release ?? "unknown"})`;
}
