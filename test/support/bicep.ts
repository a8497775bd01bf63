/**
 * Reading Bicep templates in tests: tree-sitter-bicep's WASM grammar through web-tree-sitter (no Bicep CLI or
 * .NET needed). Gives the syntax problems of a file, its resource declarations (type and API version), and the
 * literal values and object keys the infrastructure test compares with the app's own contracts.
 */
import { createRequire } from "node:module";
import { Language, type Node, Parser, type Tree } from "web-tree-sitter";

const require = createRequire(import.meta.url);

let parser: Promise<Parser> | undefined;

/** One parser for the test run: the grammar is loaded once. */
function bicepParser(): Promise<Parser> {
  parser ??= (async () => {
    await Parser.init();
    const language = await Language.load(require.resolve("tree-sitter-bicep/tree-sitter-bicep.wasm"));
    const p = new Parser();
    p.setLanguage(language);
    return p;
  })();
  return parser;
}

export async function parseBicep(source: string): Promise<Tree> {
  const tree = (await bicepParser()).parse(source);
  if (!tree) throw new Error("tree-sitter returned no tree");
  return tree;
}

/** ERROR and MISSING nodes, as "line:column kind: text". */
export function syntaxProblems(tree: Tree): string[] {
  const problems: string[] = [];
  const walk = (node: Node) => {
    if (node.isError || node.isMissing) {
      const where = `${node.startPosition.row + 1}:${node.startPosition.column + 1}`;
      problems.push(
        `${where} ${node.isMissing ? `missing ${node.type}` : "error"}: ${node.text.slice(0, 80)}`,
      );
    }
    for (const child of node.children) if (child) walk(child);
  };
  walk(tree.rootNode);
  return problems;
}

export interface ResourceDeclaration {
  readonly symbol: string;
  readonly type: string;
  readonly apiVersion: string;
  readonly existing: boolean;
  /** The body object (the loop's body for `[for …: {…}]`, the `if`'s object for conditional ones). */
  readonly body: Node | undefined;
}

/** Every `resource` declaration in the tree, nested ones included. */
export function resourceDeclarations(tree: Tree): ResourceDeclaration[] {
  return tree.rootNode.descendantsOfType("resource_declaration").flatMap((node) => {
    if (!node) return [];
    const symbol = node.namedChildren.find((c) => c?.type === "identifier")?.text ?? "";
    const typeString = node.namedChildren.find((c) => c?.type === "string");
    const [type = "", apiVersion = ""] = (typeString ? stringValue(typeString) : "").split("@");
    return [
      {
        symbol,
        type,
        apiVersion,
        existing: / existing\b/.test(node.text.split("\n")[0] ?? ""),
        body: bodyOf(node),
      },
    ];
  });
}

function bodyOf(node: Node): Node | undefined {
  const object = node.namedChildren.find((c) => c?.type === "object");
  if (object) return object;
  for (const c of node.namedChildren) {
    if (c?.type === "for_statement") return c.childForFieldName("body") ?? undefined;
    if (c?.type === "if_statement") return c.namedChildren.find((n) => n?.type === "object") ?? undefined;
  }
  return undefined;
}

/** The text of a string without interpolation; throws on an interpolated one. */
export function stringValue(node: Node): string {
  if (node.type !== "string") throw new Error(`expected a string, got ${node.type}: ${node.text}`);
  if (node.namedChildren.some((c) => c?.type === "interpolation"))
    throw new Error(`interpolated string: ${node.text}`);
  const raw = node.text;
  return raw.startsWith("'''") ? raw.slice(3, -3) : raw.slice(1, -1).replace(/\\'/g, "'");
}

export type Literal =
  | string
  | number
  | boolean
  | null
  | readonly Literal[]
  | { readonly [key: string]: Literal };

/** A literal expression (string, number, boolean, null, array or object of literals) as a JS value. */
export function literalValue(node: Node): Literal {
  switch (node.type) {
    case "string":
      return stringValue(node);
    case "number":
      return Number(node.text);
    case "boolean":
      return node.text === "true";
    case "null":
      return null;
    case "array":
      return node.namedChildren
        .filter((c) => c !== null && c.type !== "comment")
        .map((c) => literalValue(c as Node));
    case "object":
      return Object.fromEntries(objectProperties(node).map(([k, v]) => [k, literalValue(v)]));
    default:
      throw new Error(`not a literal (${node.type}): ${node.text.slice(0, 80)}`);
  }
}

/** An object's properties as [key, value node]; keys unquoted. */
export function objectProperties(node: Node): Array<[string, Node]> {
  return node.namedChildren.flatMap((p): Array<[string, Node]> => {
    if (p?.type !== "object_property") return [];
    const [key, value] = p.namedChildren.filter((c) => c !== null && c.type !== "comment") as Node[];
    if (!key || !value) return [];
    return [[key.type === "string" ? stringValue(key) : key.text, value]];
  });
}

/** The value of `var name = …` at the top of the file. */
export function variableValue(tree: Tree, name: string): Node | undefined {
  for (const node of tree.rootNode.namedChildren) {
    if (node?.type !== "variable_declaration") continue;
    const [id, value] = node.namedChildren.filter((c) => c !== null && c.type !== "comment") as Node[];
    if (id?.text === name) return value;
  }
  return undefined;
}

/** The value of `key` in an object node. */
export function propertyValue(object: Node | undefined, key: string): Node | undefined {
  return object ? objectProperties(object).find(([k]) => k === key)?.[1] : undefined;
}

/**
 * Every key of the object literals an expression may produce: an object's own keys, those of the objects passed
 * to `union(…)` or chosen by `cond ? {…} : {…}`, and those of a top-level `var` it names (how the templates build
 * optional settings).
 */
export function objectKeysDeep(node: Node | undefined, tree?: Tree): string[] {
  if (!node) return [];
  if (node.type === "object") return objectProperties(node).map(([k]) => k);
  if (node.type === "identifier" && tree) return objectKeysDeep(variableValue(tree, node.text), tree);
  const composite = ["call_expression", "arguments", "ternary_expression", "parenthesized_expression"];
  if (!composite.includes(node.type)) return [];
  return node.namedChildren.flatMap((c) =>
    c &&
    (composite.includes(c.type) ||
      c.type === "object" ||
      (c.type === "identifier" && node.type !== "call_expression"))
      ? objectKeysDeep(c, tree)
      : [],
  );
}
