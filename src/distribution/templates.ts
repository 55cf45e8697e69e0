/**
 * @module Image Builder's output-name variables: `{{ imagebuilder:buildDate }}` and
 * `{{ imagebuilder:buildVersion }}` in AMI names and container tags (and the dated form
 * `{{imagebuilder:buildDate:yyyyMMddHHmmss}}`).
 */

export interface BuildFacts {
  /** When the image was created. */
  dateCreated: Date;
  /** The build number (last ARN segment). */
  buildVersion: number;
}

/** `2026-11-25T06-39-09Z`: ISO 8601 with `-` for `:` (valid in AMI names and image tags). */
export const buildDateText = (d: Date): string =>
  d
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/:/g, '-');

/** `{{imagebuilder:buildDate:yyyyMMddHHmmss}}`: the date in a Java-style pattern (yyyy, yy, MM, dd, HH, mm, ss; UTC). */
function formatDate(d: Date, pattern: string): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const parts: Record<string, string> = {
    yyyy: String(d.getUTCFullYear()),
    yy: two(d.getUTCFullYear() % 100),
    MM: two(d.getUTCMonth() + 1),
    dd: two(d.getUTCDate()),
    HH: two(d.getUTCHours()),
    mm: two(d.getUTCMinutes()),
    ss: two(d.getUTCSeconds()),
  };
  return pattern.replace(/yyyy|yy|MM|dd|HH|mm|ss/g, (t) => parts[t]!);
}

export function expandOutputName(text: string, facts: BuildFacts): string {
  return text.replace(
    /\{\{\s*imagebuilder:(buildDate|buildVersion)(?::([^}\s]+))?\s*\}\}/g,
    (whole, name: string, format: string | undefined) => {
      if (name === 'buildVersion') return format ? whole : String(facts.buildVersion);
      return format ? formatDate(facts.dateCreated, format) : buildDateText(facts.dateCreated);
    },
  );
}
