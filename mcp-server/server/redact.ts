/**
 * Masks emails and phone numbers, keeping enough to recognise them (first letter and domain;
 * last two digits). Fields named email or phone are masked whole; free text is scanned for
 * patterns narrow enough to leave dates, ids and amounts alone.
 */

const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;
const PHONES = [
  /\+\d[\d\s().-]{6,}\d/g, // international: +44 7700 900123, +86 138 0013 8000
  /\(?\b\d{3}\)?[\s.-]\d{3,4}[\s.-]\d{4}\b/g, // (555) 123-4567, 555.123.4567
  /\b1[3-9]\d{9}\b/g, // Chinese mobile: 13800138000
];
const PII_KEYS = new Set(["email", "phone"]);

function maskPhone(match: string): string {
  const digits = match.replace(/\D/g, "");
  return `${match.trim().startsWith("+") ? "+" : ""}***${digits.slice(-2)}`;
}

export function redactText(text: string): string {
  let result = text.replace(EMAIL, (_match, first: string, domain: string) => `${first}***@${domain}`);
  for (const pattern of PHONES) result = result.replace(pattern, maskPhone);
  return result;
}

/** Applies redaction to every string inside a JSON-like value. */
export function redactValue<T>(value: T, key?: string): T {
  if (typeof value === "string") {
    if (key && PII_KEYS.has(key)) return (value.includes("@") ? redactText(value) : maskPhone(value)) as T;
    return redactText(value) as T;
  }
  if (Array.isArray(value)) return value.map((item) => redactValue(item)) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([name, item]) => [name, redactValue(item, name)]),
    ) as T;
  }
  return value;
}
