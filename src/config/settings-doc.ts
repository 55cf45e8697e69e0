/** @module The README's configuration tables, generated from the settings table (`npm run gen:docs`). */
import { SETTINGS } from './settings.ts';
import { TAGS } from './tags.ts';

export const DOC_START = '<!-- settings:start (generated from src/config/settings.ts by npm run gen:docs) -->';
export const DOC_END = '<!-- settings:end -->';

const cell = (s: string): string => s.replaceAll('|', '\\|');

export function settingsMarkdown(): string {
  const rows = SETTINGS.map(
    (s) => `| \`${s.env}\` | ${s.file ? `\`${s.file}\`` : ''} | ${cell(s.doc)} | ${cell(s.shownDefault)} |`,
  );
  const tags = TAGS.map((t) => `| \`${t.tag}\` | ${t.on} | ${cell(t.doc)} |`);
  return [
    DOC_START,
    '| variable | config-file key | meaning | default |',
    '|---|---|---|---|',
    ...rows,
    '',
    'Resource tags Ingot reads (checked when the resource is created, updated or tagged):',
    '',
    '| tag | on | meaning |',
    '|---|---|---|',
    ...tags,
    DOC_END,
  ].join('\n');
}

/** `text` with the part between the markers replaced by the generated tables. */
export function withSettingsDoc(text: string): string {
  const a = text.indexOf(DOC_START);
  const b = text.indexOf(DOC_END);
  if (a < 0 || b < a) throw new Error('README.md has no settings markers');
  return text.slice(0, a) + settingsMarkdown() + text.slice(b + DOC_END.length);
}
