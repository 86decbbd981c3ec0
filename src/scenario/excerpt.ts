/** At most `max` characters of `s`, control and non-ASCII-printable characters escaped: a safe excerpt. */
export function excerpt(s: string, max = 60): string {
  const cut = s.length > max ? `${s.slice(0, max)}…` : s;
  return cut.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what this escapes
    /[\u0000-\u001f\u007f-\u009f\ufffd]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
