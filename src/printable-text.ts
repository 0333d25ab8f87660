// Text from a spec or an image may hold terminal escapes (ESC, BEL, C1 controls) or bidi overrides that
// reorder what a person sees ("Trojan Source"), and a newline ends a comment line. Everything cloudseed
// prints or writes for people to read (messages, listings, comments in scripts) goes through here.

// C0 controls, DEL, C1 controls; the bidi embeddings, overrides, isolates and marks; the line and
// paragraph separators; the BOM / zero-width no-break space.
const unsafeCharacters = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]/gu;

const unsafeBeyondAscii = /[\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]/gu;

const namedEscapes: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeCharacter(character: string): string {
  const code = character.codePointAt(0) ?? 0;
  return namedEscapes[character] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
}

/** True when `text` holds a character `printable` would escape. */
export function hasUnprintable(text: string): boolean {
  unsafeCharacters.lastIndex = 0;
  return unsafeCharacters.test(text);
}

/** `text` with every control or bidi character as `\x1b` or `\u202e`; everything else as it is. */
export function printable(text: string): string {
  return replaceUnprintable(text, escapeCharacter);
}

/** `text` with each character `printable` would escape replaced by `replace(character)`. */
export function replaceUnprintable(text: string, replace: (character: string) => string): string {
  return text.replace(unsafeCharacters, replace);
}

/**
 * JSON whose strings keep the exact names but spell those same characters as `\u001b`, so printing the
 * JSON to a terminal is as safe as printing the listing. They only occur inside strings, where `\uXXXX`
 * means the same character.
 */
export function terminalSafeJson(value: unknown): string {
  // JSON.stringify already escapes C0 controls in strings; the newlines between members must stay.
  return JSON.stringify(value, null, 2).replace(unsafeBeyondAscii, (character) => `\\u${(character.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
}
