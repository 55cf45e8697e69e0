/** @module `npm run gen:docs`: rewrites the README's configuration tables from src/config/settings.ts. */
import { readFileSync, writeFileSync } from 'node:fs';
import { withSettingsDoc } from '../src/config/settings-doc.ts';

const file = new URL('../README.md', import.meta.url);
const before = readFileSync(file, 'utf8');
const after = withSettingsDoc(before);
if (after !== before) writeFileSync(file, after);
process.stdout.write(after === before ? 'README.md is up to date\n' : 'README.md updated\n');
