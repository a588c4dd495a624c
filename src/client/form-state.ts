/**
 * What the user typed survives an automatic reload of the page they are on: fields they
 * changed are saved to sessionStorage right before the load and put back once the new
 * document is parsed (Nuxt's `persistState` and SvelteKit's snapshots do the same for SPAs).
 */

/** sessionStorage key of the saved fields: `{ u: page URL, f: { key: value } }`. */
export const FORM_KEY = "vite-rolling:form";

type Field = HTMLInputElement & HTMLSelectElement;
type Saved = { u: string; f: Record<string, string | boolean> };

/** The page's URL as the guard and the restore compare it: without its fragment. */
export const bare = (url: string) => url.split("#")[0]!;

/** A checkbox or a radio button (no other input type holds "box" or "dio"). */
const checkable = (field: Field) => /box|dio/.test(field.type);

/**
 * Calls `use` for each field worth saving, with a key stable across two renders of the same
 * page (form position | name or id | value, which tells radio buttons apart), the field's
 * state and the state it was served with (a select has none: it is always saved).
 */
function eachField(
  use: (key: string, field: Field, state: string | boolean, served: unknown) => void,
): void {
  for (const field of document.querySelectorAll<Field>("input,textarea,select")) {
    const name = field.name || field.id;
    // Never saved: secrets and what the user did not type (passwords, hidden and file inputs)
    // and, on the field or any ancestor (a form), autocomplete="off" or data-vite-rolling-skip.
    if (
      !name ||
      /password|hidden|file/.test(field.type) ||
      field.closest("[autocomplete=off],[data-vite-rolling-skip]")
    )
      continue;
    const box = checkable(field);
    use(
      `${[...document.forms].indexOf(field.form!)}|${name}|${box && field.value}`,
      field,
      box ? field.checked : field.value,
      box ? field.defaultChecked : field.defaultValue,
    );
  }
}

/** Saves the changed fields of this page; a failure (storage full or off) saves nothing. */
export function saveForms(): void {
  const saved: Saved = { u: bare(location.href), f: {} };
  eachField((key, _, state, served) => {
    if (state !== served) saved.f[key] = state;
  });
  try {
    sessionStorage[FORM_KEY] = JSON.stringify(saved);
  } catch {}
}

/**
 * Puts back the fields saved on this URL (the saved state is removed either way), firing
 * `input` and `change` so that the app sees the values. Call once the document is parsed.
 */
export function restoreForms(): void {
  let saved: Saved | null = null;
  try {
    saved = JSON.parse(sessionStorage[FORM_KEY] || 0);
    delete sessionStorage[FORM_KEY];
  } catch {}
  if (saved?.u === bare(location.href))
    eachField((key, field) => {
      const value = saved.f[key];
      if (value === undefined) return;
      if (checkable(field)) field.checked = value as boolean;
      else field.value = value as string;
      for (const type of ["input", "change"])
        field.dispatchEvent(new Event(type, { bubbles: true }));
    });
}
