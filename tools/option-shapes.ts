/**
 * Generates lib/engine/option-shapes.generated.ts: the shape of every public options and props
 * interface (exported from lib/index.ts, named `…Options` or `…Props`), read from the TypeScript
 * types, for the call-time checker of JavaScript callers (lib/engine/input.ts).
 *
 * Why not JSON Schema (ts-json-schema-generator)? A JSON Schema describes a class as an object
 * of its public fields, so `Duration`, `kplus.Secret` or `kplus.Volume` would be checked field by
 * field down into constructs, and it cannot say "an instance of Duration" or list
 * `ProxyEngine.ENVOY`. These shapes say exactly what the checker needs: primitives, literal
 * choices (enums by member name), arrays, records, class instances (by class name, with the
 * static instances of the class, or else its static factories, for messages), objects implemented by classes (interfaces
 * with methods: any object), and data interfaces (checked key by key, unknown keys refused).
 *
 * Run: `npx projen shapes` (ts-node tools/option-shapes.ts). test/engine/option-shapes.test.ts
 * fails when the committed file is not what this generates.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

type Shape =
  | { k: 'any' } | { k: 'string' } | { k: 'number' } | { k: 'boolean' } | { k: 'function' }
  | { k: 'literal'; values: Array<string | number | boolean>; names: string[] }
  | { k: 'array'; of: Shape }
  | { k: 'record'; of: Shape }
  | { k: 'instance'; name: string; members?: string[] }
  | { k: 'object'; name: string }
  | { k: 'ref'; name: string }
  | { k: 'union'; of: Shape[] };

interface Definition {
  readonly props: Record<string, { shape: Shape; optional: boolean }>;
}

const ROOT = path.resolve(__dirname, '..');
export const OUTPUT = path.join(ROOT, 'lib', 'engine', 'option-shapes.generated.ts');

/** The text of lib/engine/option-shapes.generated.ts. */
export function generateOptionShapes(): string {
  const configFile = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, ROOT);
  const program = ts.createProgram([path.join(ROOT, 'lib', 'index.ts')], parsed.options);
  const checker = program.getTypeChecker();
  const index = checker.getSymbolAtLocation(program.getSourceFile(path.join(ROOT, 'lib', 'index.ts'))!)!;
  const definitions: Record<string, Definition> = {};
  const names = new Map<ts.Type, string>();

  const nameOf = (type: ts.Type, fallback: string): string => {
    const known = names.get(type);
    if (known) return known;
    const symbol = type.aliasSymbol ?? type.getSymbol();
    let name = symbol && symbol.name !== '__type' && symbol.name !== '__object' ? symbol.name : fallback;
    for (let i = 2; Object.values(Object.fromEntries(names)).includes(name) || (name in definitions && !names.has(type)); i++) name = `${fallback}${i}`;
    names.set(type, name);
    return name;
  };

  const shapeOf = (type: ts.Type, context: string): Shape => {
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return { k: 'any' };
    if (type.isUnion()) {
      const members = type.types.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null | ts.TypeFlags.Void)));
      if (members.length > 0 && members.every((t) => t.isLiteral() || (t.flags & ts.TypeFlags.BooleanLiteral))) {
        const bools = members.filter((t) => t.flags & ts.TypeFlags.BooleanLiteral);
        if (bools.length === 2 && members.length === 2) return { k: 'boolean' };
        return {
          k: 'literal',
          values: members.map(literalValue),
          names: members.map((t) => (t.flags & ts.TypeFlags.EnumLiteral && t.getSymbol()
            ? `${checker.getFullyQualifiedName(t.getSymbol()!).split('.').slice(-2).join('.')}` : JSON.stringify(literalValue(t)))),
        };
      }
      if (members.length === 1) return shapeOf(members[0], context);
      const boolParts = members.filter((t) => t.flags & ts.TypeFlags.BooleanLiteral);
      const rest = members.filter((t) => !(t.flags & ts.TypeFlags.BooleanLiteral)).map((t) => shapeOf(t, context));
      return { k: 'union', of: boolParts.length ? [{ k: 'boolean' }, ...rest] : rest };
    }
    if (type.flags & ts.TypeFlags.StringLike && !type.isLiteral()) return { k: 'string' };
    if (type.flags & ts.TypeFlags.NumberLike && !type.isLiteral()) return { k: 'number' };
    if (type.flags & ts.TypeFlags.Boolean) return { k: 'boolean' };
    if (type.isLiteral() || type.flags & ts.TypeFlags.BooleanLiteral) {
      return { k: 'literal', values: [literalValue(type)], names: [JSON.stringify(literalValue(type))] };
    }
    if (checker.isArrayType(type) || checker.isTupleType(type)) {
      const [element] = checker.getTypeArguments(type as ts.TypeReference);
      return { k: 'array', of: element ? shapeOf(element, context) : { k: 'any' } };
    }
    if (type.getCallSignatures().length > 0) return { k: 'function' };
    const symbol = type.getSymbol();
    if (symbol && symbol.flags & ts.SymbolFlags.Class) {
      const members = staticInstances(symbol, type);
      return members.length > 0 ? { k: 'instance', name: symbol.name, members } : { k: 'instance', name: symbol.name };
    }
    const properties = checker.getPropertiesOfType(type);
    const stringIndex = checker.getIndexInfoOfType(type, ts.IndexKind.String);
    if (properties.length === 0) return stringIndex ? { k: 'record', of: shapeOf(stringIndex.type, context) } : { k: 'any' };
    const hasMethods = properties.some((p) => p.flags & ts.SymbolFlags.Method);
    const name = nameOf(type, context);
    if (hasMethods) return { k: 'object', name };
    if (!(name in definitions)) {
      const definition: Definition = { props: {} };
      definitions[name] = definition;
      for (const property of properties) {
        const propertyType = checker.getTypeOfSymbol(property);
        definition.props[property.name] = {
          shape: shapeOf(propertyType, `${name}_${property.name}`),
          optional: (property.flags & ts.SymbolFlags.Optional) !== 0,
        };
      }
    }
    return { k: 'ref', name };
  };

  /** `ProxyEngine.ENVOY`: the class's static readonly fields of its own type. */
  const staticInstances = (symbol: ts.Symbol, instanceType: ts.Type): string[] => {
    const declaration = symbol.valueDeclaration;
    if (!declaration) return [];
    const constructorType = checker.getTypeOfSymbolAtLocation(symbol, declaration);
    const statics = checker.getPropertiesOfType(constructorType).filter((p) => p.name !== 'prototype' && !p.name.startsWith('_'));
    const instances = statics.filter((p) => p.flags & ts.SymbolFlags.Property && checker.getTypeOfSymbol(p) === instanceType);
    if (instances.length > 0) return instances.map((p) => `${symbol.name}.${p.name}`);
    // Else its static factories (`ConfigSource.git(…)`), when it has any.
    return statics
      .filter((p) => p.flags & ts.SymbolFlags.Method
        && checker.getTypeOfSymbol(p).getCallSignatures().some((sig) => sig.getReturnType() === instanceType))
      .map((p) => `${symbol.name}.${p.name}(…)`);
  };

  const roots: string[] = [];
  for (const exported of checker.getExportsOfModule(index)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    if (!(symbol.flags & ts.SymbolFlags.Interface) || !/(Options|Props)$/.test(symbol.name)) continue;
    const shape = shapeOf(checker.getDeclaredTypeOfSymbol(symbol), symbol.name);
    if (shape.k === 'ref') roots.push(shape.name);
  }
  const sorted = Object.fromEntries(Object.keys(definitions).sort().map((k) => [k, definitions[k]]));
  return [
    '// Generated by tools/option-shapes.ts from the TypeScript types (npx projen shapes): do not edit.',
    '// test/engine/option-shapes.test.ts fails when it is not current.',
    '/* eslint-disable */',
    "import type { ShapeDefinitions } from './option-shape';",
    '',
    '/** The public options and props interfaces, checked at the call by `checkOptions`. */',
    `export const OPTION_ROOTS = ${JSON.stringify(roots.sort())} as const;`,
    '',
    `export const OPTION_SHAPES: ShapeDefinitions = ${JSON.stringify(sorted, undefined, 1)};`,
    '',
  ].join('\n');
}

function literalValue(type: ts.Type): string | number | boolean {
  if (type.isStringLiteral() || type.isNumberLiteral()) return type.value;
  return (type as unknown as { intrinsicName: string }).intrinsicName === 'true';
}

if (require.main === module) {
  fs.writeFileSync(OUTPUT, generateOptionShapes());
  console.log(`wrote ${path.relative(ROOT, OUTPUT)}`);
}
