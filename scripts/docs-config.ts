/**
 * Writes the table of every configuration variable into docs/configuration.md, between its
 * markers, from the variable specs (src/config/specs.ts):
 *
 *   npm run docs:config
 *
 * A test fails while the committed table differs from what the specs give.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TABLE_END, TABLE_START, withConfigTable } from '../src/config/docs.js';

const file = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));
const current = existsSync(file) ? readFileSync(file, 'utf8') : `# Configuration\n\n${TABLE_START}\n${TABLE_END}\n`;
const updated = withConfigTable(current);
if (updated === current) {
  console.log('docs/configuration.md: the table is up to date');
} else {
  writeFileSync(file, updated);
  console.log('docs/configuration.md: the table was rewritten from src/config/specs.ts');
}
