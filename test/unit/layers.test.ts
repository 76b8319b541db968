/**
 * The layers point one way: the edges (src/) use activities and shared code, activities use
 * shared code, workflows use shared code and only the types of the activities, and shared/ uses
 * none of them. Read from the imports of every source file, so a new import that breaks the rule
 * fails here with the offending edges named.
 */
import { fileURLToPath } from 'node:url';
import { findCycles, importGraph, importsOf, type ImportEdge } from '../support/importGraph.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LAYERS = ['src', 'activities', 'workflows', 'shared'] as const;
type Layer = (typeof LAYERS)[number];

const edges = importGraph(ROOT, LAYERS);
const layerOf = (file: string): string => file.split('/')[0]!;
const edgesBetween = (from: Layer, to: readonly Layer[]): ImportEdge[] =>
  edges.filter((edge) => layerOf(edge.from) === from && (to as readonly string[]).includes(layerOf(edge.to)));
const listed = (found: readonly ImportEdge[]): string =>
  found.map((edge) => `${edge.from} -> ${edge.to}${edge.typeOnly ? ' (type only)' : ''}`).join('\n');

/** Fails with the offending imports listed, one per line. */
function expectNone(found: readonly ImportEdge[], rule: string): void {
  if (found.length > 0) throw new Error(`${rule}; these imports break it:\n${listed(found)}`);
}

describe('the import reader', () => {
  it('sees value, type-only, re-exported and lazily loaded imports, resolved from the importing file', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from '../shared/b.js';",
      "import { type C } from './c.js';",
      "export { d } from './d.js';",
      "export type { E } from './e.js';",
      "const f = await import('./f.js');",
      "import fs from 'node:fs';",
    ].join('\n');
    expect(importsOf('workflows/x.ts', text)).toEqual([
      { from: 'workflows/x.ts', to: 'workflows/a.ts', typeOnly: false },
      { from: 'workflows/x.ts', to: 'shared/b.ts', typeOnly: true },
      // Kept as a side-effect import under verbatimModuleSyntax: a value import.
      { from: 'workflows/x.ts', to: 'workflows/c.ts', typeOnly: false },
      { from: 'workflows/x.ts', to: 'workflows/d.ts', typeOnly: false },
      { from: 'workflows/x.ts', to: 'workflows/e.ts', typeOnly: true },
      { from: 'workflows/x.ts', to: 'workflows/f.ts', typeOnly: false },
    ]);
  });

  it('reads the whole tree (every layer has files and imports)', () => {
    for (const layer of LAYERS) expect(edges.filter((edge) => layerOf(edge.from) === layer).length).toBeGreaterThan(0);
    expect(edges).toContainEqual({ from: 'workflows/mediaRequest.ts', to: 'activities/index.ts', typeOnly: true });
  });
});

describe('layers', () => {
  it('activities and workflows import nothing from src/ (the edges)', () => {
    expectNone(
      [...edgesBetween('activities', ['src']), ...edgesBetween('workflows', ['src'])],
      'activities/ and workflows/ must not import from src/',
    );
  });

  it('activities import no workflow module (they address workflows by name, through shared/contracts/)', () => {
    expectNone(edgesBetween('activities', ['workflows']), 'activities/ must not import from workflows/');
  });

  it('src/ imports no workflow module (it starts workflows by name; the worker bundles them by path)', () => {
    expectNone(edgesBetween('src', ['workflows']), 'src/ must not import from workflows/');
  });

  it('shared/ imports only shared/ (and packages)', () => {
    expectNone(
      edgesBetween('shared', ['src', 'activities', 'workflows']),
      'shared/ must not import from src/, activities/ or workflows/',
    );
  });

  it("workflows import only the activities' types, never their code", () => {
    expectNone(
      edgesBetween('workflows', ['activities']).filter((edge) => !edge.typeOnly),
      'workflows/ may import from activities/ only with `import type` (no Node code in the workflow bundle)',
    );
  });

  it('no file imports itself through others (type-only imports included)', () => {
    const cycles = findCycles(edges);
    if (cycles.length > 0) {
      const described = cycles.map((cycle) => `${cycle.example.join(' -> ')}\n  (all of: ${cycle.files.join(', ')})`);
      throw new Error(`import cycles:\n${described.join('\n')}`);
    }
  });
});
