// Finds user-visible text written straight into JSX instead of going through t(): text between
// tags, string literals in braces, and string literals in visible attributes. Uses the TypeScript
// parser, so generics and comparisons (`a < b`) are never mistaken for markup.
import ts from 'typescript';

/** Attributes whose value a person reads or hears. */
const VISIBLE_ATTRIBUTES = new Set([
  'aria-label',
  'aria-description',
  'aria-placeholder',
  'aria-roledescription',
  'aria-valuetext',
  'alt',
  'title',
  'placeholder',
  'label',
  'content',
]);

const LETTER = /\p{L}/u;

export interface Finding {
  line: number;
  text: string;
}

function isTextLiteral(node: ts.Node): node is ts.StringLiteral | ts.NoSubstitutionTemplateLiteral {
  return ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node);
}

export function findHardcodedText(source: string, fileName = 'file.tsx'): Finding[] {
  const file = ts.createSourceFile(
    fileName,
    source,
    ts.ScriptTarget.Latest,
    true,
    ts.ScriptKind.TSX,
  );
  const findings: Finding[] = [];
  const report = (node: ts.Node, text: string) => {
    const { line } = file.getLineAndCharacterOfPosition(node.getStart(file));
    findings.push({ line: line + 1, text: text.trim() });
  };
  const visit = (node: ts.Node) => {
    if (ts.isJsxText(node) && LETTER.test(node.text)) report(node, node.text);
    if (ts.isJsxExpression(node) && node.expression && isTextLiteral(node.expression)) {
      const parent = node.parent;
      const inVisibleAttribute =
        ts.isJsxAttribute(parent) && VISIBLE_ATTRIBUTES.has(parent.name.getText(file));
      const asChild = !ts.isJsxAttribute(parent);
      if ((asChild || inVisibleAttribute) && LETTER.test(node.expression.text)) {
        report(node, node.expression.text);
      }
    }
    if (
      ts.isJsxAttribute(node) &&
      node.initializer &&
      ts.isStringLiteral(node.initializer) &&
      VISIBLE_ATTRIBUTES.has(node.name.getText(file)) &&
      LETTER.test(node.initializer.text)
    ) {
      report(node, node.initializer.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return findings;
}
