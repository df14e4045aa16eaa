/**
 * Finds every table key the production code spells: each object literal with a partition-key
 * property (`{ pk: ..., sk: ... }`), with the literal text its key values start with, resolved through
 * key-builder functions and constants with the TypeScript compiler. Also the `kind` attribute written
 * beside a key. The record-inventory drift test matches them against the inventory.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { TABLE } from '#shared/table/tableDefinition.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The folders whose code runs in Bookdrop or against its table. */
export const SCANNED_FOLDERS = ['shared', 'functions', 'sandbox', 'scripts', 'bench'] as const;

/**
 * A key value: its literal head and whether it is all literal; `copy` for a value read from another
 * key (`item.pk`); `unknown` when the code builds it in a way the scan cannot follow.
 */
export type KeyPart = { readonly head: string; readonly exact: boolean } | 'copy' | 'unknown';

export interface SpelledKey {
  /** `path:line`, for failure messages. */
  readonly at: string;
  readonly pk: KeyPart;
  readonly sk: KeyPart | undefined;
  /** The `kind` string literal in the same object, if any. */
  readonly kind: string | undefined;
}

/** The inventory spells key patterns, not keys. */
const INVENTORY = join('shared', 'privacy', 'recordInventory.ts');

function sourceFiles(): string[] {
  return SCANNED_FOLDERS.flatMap((folder) =>
    (readdirSync(join(ROOT, folder), { recursive: true }) as string[])
      .map((name) => join(folder, name))
      .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts') && name !== INVENTORY)
      .map((name) => join(ROOT, name)),
  );
}

const propertyName = (name: ts.PropertyName): string | undefined =>
  ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : undefined;

/** The `name: value` property of an object literal, if it has one. */
const propertyOf = (object: ts.ObjectLiteralExpression | undefined, name: string) =>
  object?.properties.find(
    (property): property is ts.PropertyAssignment => ts.isPropertyAssignment(property) && propertyName(property.name) === name,
  );

class KeyResolver {
  public constructor(private readonly checker: ts.TypeChecker) {}

  private declarationOf(node: ts.Node): ts.Declaration | undefined {
    let symbol = this.checker.getSymbolAtLocation(node);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = this.checker.getAliasedSymbol(symbol);
    return symbol?.valueDeclaration ?? symbol?.declarations?.[0];
  }

  /** The expression a function returns, when it has one return expression. */
  private returned(declaration: ts.Declaration | undefined): ts.Expression | undefined {
    let fn: ts.Node | undefined = declaration;
    if (fn && ts.isVariableDeclaration(fn)) fn = fn.initializer;
    if (!fn || !(ts.isArrowFunction(fn) || ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn)) || !fn.body) return undefined;
    if (!ts.isBlock(fn.body)) return fn.body;
    const returns = fn.body.statements.filter(ts.isReturnStatement);
    return returns.length === 1 ? returns[0]?.expression : undefined;
  }

  private unwrap(expression: ts.Expression): ts.Expression {
    let current = expression;
    const wrapped = (node: ts.Expression) =>
      ts.isParenthesizedExpression(node) || ts.isNonNullExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node);
    while (wrapped(current)) current = (current as ts.ParenthesizedExpression).expression;
    return current;
  }

  /** The value of a string constant (`const PREFIX = 'X#'`, `PREFIXES.loan` of an `as const` object). */
  private constant(expression: ts.Expression, depth: number): string | undefined {
    const node = this.unwrap(expression);
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
    if (depth > 4 || !(ts.isIdentifier(node) || ts.isPropertyAccessExpression(node))) return undefined;
    const declaration = this.declarationOf(node);
    const initializer =
      declaration && (ts.isVariableDeclaration(declaration) || ts.isPropertyAssignment(declaration)) ? declaration.initializer : undefined;
    if (!initializer) return undefined;
    if (declaration && ts.isVariableDeclaration(declaration) && !(declaration.parent.flags & ts.NodeFlags.Const)) return undefined;
    return this.constant(initializer, depth + 1);
  }

  public part(expression: ts.Expression, name: string, depth = 0): KeyPart {
    const node = this.unwrap(expression);
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return { head: node.text, exact: true };
    if (ts.isTemplateExpression(node)) {
      // Constants at the start (`${PREFIX}${id}`) are part of the literal head.
      let head = node.head.text;
      for (const span of node.templateSpans) {
        const constant = this.constant(span.expression, depth);
        if (constant === undefined) return { head, exact: false };
        head += constant + span.literal.text;
      }
      return { head, exact: true };
    }
    if (ts.isPropertyAccessExpression(node) && node.name.text === name) return 'copy';
    const constant = this.constant(node, depth);
    if (constant !== undefined) return { head: constant, exact: true };
    if (depth > 4) return 'unknown';
    if (ts.isCallExpression(node)) {
      const body = this.returned(this.declarationOf(node.expression));
      return body ? this.part(body, name, depth + 1) : 'unknown';
    }
    if (ts.isIdentifier(node)) {
      const declaration = this.declarationOf(node);
      if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer) {
        return this.part(declaration.initializer, name, depth + 1);
      }
      // A parameter: a value the caller chose, with no literal head.
      if (declaration && ts.isParameter(declaration)) return { head: '', exact: false };
    }
    return 'unknown';
  }

  /** The object literal a spread or a key builder stands for. */
  public objectOf(expression: ts.Expression, depth = 0): ts.ObjectLiteralExpression | undefined {
    const node = this.unwrap(expression);
    if (ts.isObjectLiteralExpression(node)) return node;
    if (depth > 4) return undefined;
    if (ts.isCallExpression(node)) {
      const body = this.returned(this.declarationOf(node.expression));
      return body ? this.objectOf(body, depth + 1) : undefined;
    }
    if (ts.isIdentifier(node)) {
      const declaration = this.declarationOf(node);
      if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer) {
        return this.objectOf(declaration.initializer, depth + 1);
      }
    }
    return undefined;
  }
}

/** Every key the scanned code spells, and every `kind` written beside a key built elsewhere. */
export function spelledKeys(): SpelledKey[] {
  const tsconfig = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile).config as unknown;
  const { options } = ts.parseJsonConfigFileContent(tsconfig, ts.sys, ROOT);
  const program = ts.createProgram(sourceFiles(), { ...options, noEmit: true });
  const resolver = new KeyResolver(program.getTypeChecker());
  const found: SpelledKey[] = [];
  for (const file of program.getSourceFiles()) {
    const path = relative(ROOT, file.fileName);
    if (file.isDeclarationFile || path.startsWith('..') || path.includes('node_modules') || path === INVENTORY) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isObjectLiteralExpression(node)) {
        const own = (name: string) => propertyOf(node, name);
        const kindProperty = own('kind');
        const kind = kindProperty && ts.isStringLiteral(kindProperty.initializer) ? kindProperty.initializer.text : undefined;
        const at = `${path}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
        const pk = own(TABLE.partitionKey);
        const sk = own(TABLE.sortKey);
        if (pk) {
          const part = (property: ts.PropertyAssignment | undefined, name: string) => property && resolver.part(property.initializer, name);
          found.push({ at, pk: part(pk, TABLE.partitionKey)!, sk: part(sk, TABLE.sortKey), kind });
        } else if (kind !== undefined) {
          // `{ ...someKey(...), kind: 'x' }`: the key comes from a builder.
          for (const spread of node.properties.filter(ts.isSpreadAssignment)) {
            const object = resolver.objectOf(spread.expression);
            const spreadPk = propertyOf(object, TABLE.partitionKey);
            const spreadSk = propertyOf(object, TABLE.sortKey);
            if (spreadPk) {
              found.push({
                at,
                pk: resolver.part(spreadPk.initializer, TABLE.partitionKey),
                sk: spreadSk && resolver.part(spreadSk.initializer, TABLE.sortKey),
                kind,
              });
            }
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return found;
}
