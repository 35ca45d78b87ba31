/** POSIX shell single quotes: nothing inside is expanded. */
export function shellQuote(text: string): string {
  return `'${String(text).replace(/'/g, `'\\''`)}'`;
}

/** A word for a command we print to be pasted: bare when the shell would read it as it is, else quoted. */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(text) ? text : shellQuote(text);
}
