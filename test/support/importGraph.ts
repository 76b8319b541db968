/**
 * The module graph of the project's own TypeScript, read from the sources with the compiler's
 * parser (no type checking): every `import … from`, `export … from` and `import('…')` whose
 * specifier is relative, resolved to a path from the repository root. An edge is type-only when
 * the whole statement is (`import type`, `export type`): those vanish from the emitted code.
 * `import { type A }` keeps a side-effect import under verbatimModuleSyntax, so it counts as a
 * value import.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface ImportEdge {
  /** Importing file, relative to the root (`activities/failure.ts`). */
  from: string;
  /** Imported file, relative to the root. */
  to: string;
  typeOnly: boolean;
}

/** The `.ts` files under `folders` (relative to `root`), as root-relative paths with `/`. */
export function sourceFiles(root: string, folders: readonly string[]): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const relative = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(relative);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) found.push(relative);
    }
  };
  for (const folder of folders) if (fs.existsSync(path.join(root, folder))) walk(folder);
  return found.sort();
}

/** The relative imports of one file's text. `file` is root-relative; `.js` specifiers name `.ts` sources. */
export function importsOf(file: string, text: string): ImportEdge[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const edges: ImportEdge[] = [];
  const add = (specifier: string, typeOnly: boolean) => {
    if (!specifier.startsWith('.')) return;
    const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
    edges.push({ from: file, to: resolved.replace(/\.js$/, '.ts'), typeOnly });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, node.importClause?.isTypeOnly ?? false);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, node.isTypeOnly);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      add(node.arguments[0].text, false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

/** Every relative import of every `.ts` file under `folders`. */
export function importGraph(root: string, folders: readonly string[]): ImportEdge[] {
  return sourceFiles(root, folders).flatMap((file) => importsOf(file, fs.readFileSync(path.join(root, file), 'utf8')));
}

export interface ImportCycle {
  /** Every file of the group whose imports lead from each to each. */
  files: string[];
  /** One way round, from the group's first file back to it. */
  example: string[];
}

/** The import cycles: one per group of files that import each other, directly or through others. */
export function findCycles(edges: readonly ImportEdge[]): ImportCycle[] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  // Tarjan's strongly connected components; each group of more than one file (or a file that imports itself) is a cycle.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const connect = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const target of next.get(node) ?? []) {
      if (!index.has(target)) {
        connect(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node)!, index.get(target)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        group.push(member);
      } while (member !== node);
      if (group.length > 1 || (next.get(node) ?? []).includes(node)) groups.push(group);
    }
  };
  for (const node of [...next.keys()].sort()) if (!index.has(node)) connect(node);
  return groups.map((group) => ({ files: [...group].sort(), example: cycleThrough(group, next) }));
}

/** One concrete cycle inside a strongly connected group, starting and ending at its first file. */
function cycleThrough(group: string[], next: Map<string, string[]>): string[] {
  const members = new Set(group);
  const start = [...group].sort()[0]!;
  // Breadth-first from start back to start, staying inside the group: the shortest such cycle.
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const target of next.get(node) ?? []) {
      if (!members.has(target)) continue;
      if (target === start) {
        const between: string[] = [];
        for (let at = node; at !== start; at = cameFrom.get(at)!) between.unshift(at);
        return [start, ...between, start];
      }
      if (!cameFrom.has(target) && target !== start) {
        cameFrom.set(target, node);
        queue.push(target);
      }
    }
  }
  return [...group, group[0]!];
}
