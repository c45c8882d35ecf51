/**
 * Returns the one-time code in a message: the only run of exactly six digits. The same code
 * may appear more than once. Throws when the text contains no six-digit run or two different ones.
 */
export function extractCode(text: string): string {
  const codes = new Set(text.match(/(?<!\d)\d{6}(?!\d)/g) ?? []);
  const [code] = codes;
  if (code === undefined) {
    throw new Error(`The message contains no 6-digit code: ${JSON.stringify(text.slice(0, 200))}`);
  }
  if (codes.size > 1) {
    throw new Error(`The message contains ${codes.size} different 6-digit numbers, expected one code.`);
  }
  return code;
}
