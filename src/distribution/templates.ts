/**
 * @module Image Builder's output-name variables: `{{ imagebuilder:buildDate }}` and
 * `{{ imagebuilder:buildVersion }}` in AMI names and container tags.
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

export function expandOutputName(text: string, facts: BuildFacts): string {
  return text.replace(/\{\{\s*imagebuilder:(buildDate|buildVersion)\s*\}\}/g, (_, name: string) =>
    name === 'buildDate' ? buildDateText(facts.dateCreated) : String(facts.buildVersion),
  );
}
