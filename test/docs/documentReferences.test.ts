/**
 * No file of the repository refers to a document the repository does not contain: every relative
 * Markdown link, and every Markdown document named in a document or in a source comment (such as
 * `docs/design.md` or `README.md`), resolves to a file in the repository. A static scan of the
 * source tree: no emulator.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Not the repository's own files: installed packages, build and test output, local key material. */
const SKIPPED = new Set(['node_modules', '.git', 'cdk.out', 'coverage', '.bookdrop']);
const TEXT = /\.(ts|md|json|html|yml|yaml|sh|txt)$|^run$/;

function repositoryFiles(dir = ROOT): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (SKIPPED.has(name)) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return repositoryFiles(path);
    return TEXT.test(name) ? [path] : [];
  });
}

/** A reference found in a file: what it names, and where it was written. */
interface Reference {
  readonly file: string;
  readonly target: string;
}

/** Relative targets of Markdown links and images, `[text](target)`, without their anchors. */
function markdownLinks(text: string): string[] {
  return [...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)]
    .map((match) => match[1]!)
    .filter((target) => !/^([a-z][a-z0-9+.-]*:|#|\/\/)/i.test(target))
    .map((target) => decodeURIComponent(target.split('#')[0]!.split('?')[0]!))
    .filter((target) => target !== '');
}

/** Markdown document paths written as code or in prose, with or without a folder. */
function documentPaths(text: string): string[] {
  // A link's text (`[ordering.md](docs/ordering.md)`) is not a reference; its target is read as a link.
  const prose = text.replace(/\[[^\]\n]*\]\(/g, '](');
  return [...prose.matchAll(/(?<![\w/.-])((?:\.{1,2}\/)*(?:[\w.-]+\/)*[\w.-]+\.md)(?![\w/])/g)].map((match) => match[1]!);
}

/** The comments of a TypeScript source: string literals (test fixtures, messages) are not references. */
function sourceComments(source: string): string {
  return [...source.matchAll(/\/\*[\s\S]*?\*\/|(?:^|\s)\/\/[^\n]*/g)].map((match) => match[0]).join('\n');
}

let basenames: Set<string> | undefined;

/**
 * True if `target`, as written in `file`, names a file or folder of the repository: relative to the
 * file or to the root, or (a bare file name) anywhere in it.
 */
function resolves(file: string, target: string): boolean {
  const candidates = [resolve(dirname(file), target), resolve(ROOT, target)];
  if (candidates.some((path) => path.startsWith(ROOT) && existsSync(path))) return true;
  basenames ??= new Set(repositoryFiles().map((path) => path.slice(path.lastIndexOf('/') + 1)));
  return !target.includes('/') && basenames.has(target);
}

function danglingReferences(): Reference[] {
  const dangling: Reference[] = [];
  for (const file of repositoryFiles()) {
    const text = readFileSync(file, 'utf8');
    const scanned = file.endsWith('.ts') ? sourceComments(text) : text;
    const targets = new Set([...(file.endsWith('.md') ? markdownLinks(text) : []), ...documentPaths(scanned)]);
    for (const target of targets) if (!resolves(file, target)) dangling.push({ file: relative(ROOT, file), target });
  }
  return dangling;
}

describe('Static scan: references to documents', () => {
  it('finds links and document paths the way they are written', () => {
    const text =
      'See [the design](../docs/design.md#policy), ![a](images/a.png), [web](https://x.org/a.md), `DESIGN.md` and docs/ordering.md.';
    expect(markdownLinks(text)).toEqual(['../docs/design.md', 'images/a.png']);
    expect(documentPaths(text)).toEqual(['../docs/design.md', 'DESIGN.md', 'docs/ordering.md']);
    expect(documentPaths('[ordering.md](docs/ordering.md)')).toEqual(['docs/ordering.md']);
  });

  it('reads the comments of a source file, not its strings', () => {
    const lineComment = '/'.repeat(2);
    const source = `/** See docs/design.md. */\nconst name = 'fixture.md'; ${lineComment} and NOTES.md\nconst url = 'https://x.org/a.md';`;
    expect(documentPaths(sourceComments(source))).toEqual(['docs/design.md', 'NOTES.md']);
  });

  it('flags a document the repository does not contain', () => {
    expect(resolves(join(ROOT, 'shared/clock.ts'), 'DESIGN.md')).toBe(false);
    expect(resolves(join(ROOT, 'shared/clock.ts'), 'docs/design.md')).toBe(true);
    expect(resolves(join(ROOT, 'docs/decisions/README.md'), '0001-one-table.md')).toBe(true);
    expect(resolves(join(ROOT, 'shared/clock.ts'), 'docs/decisions/missing.md')).toBe(false);
  });

  it('every file refers only to documents inside the repository', () => {
    expect(danglingReferences()).toEqual([]);
  });
});
