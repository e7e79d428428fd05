// SPDX-License-Identifier: GPL-2.0-only
// Preprocessor conditionals, decided against the fixed x86-64 configuration
// (config.ts), the macros the shim defines, and the macros defined earlier in
// the kernel files. Only the conditionals that matter are decided: those
// around a definition the extraction reaches and those inside its body. A
// condition that cannot be decided is refused with its file and line; never
// is an arm chosen by position.
import type { Node } from 'web-tree-sitter';
import type { ConfigValue } from './config.js';
import type { Branch, Conditional, Guard } from './definitions.js';
import { ExtractError } from './errors.js';
import type { ParsedFile } from './parser.js';

export interface ConditionContext {
  readonly config: Readonly<Record<string, ConfigValue>>;
  readonly archMacros: Readonly<Record<string, number>>;
  readonly archUndefined: ReadonlySet<string>;
  readonly shimMacros: ReadonlySet<string>;
  /** Whether a kernel file defines macro `name` (in a compiled arm) before `index` of `file`. */
  readonly kernelMacroBefore: (name: string, file: ParsedFile, index: number) => boolean;
}

class Undecidable extends Error {}

export class ConditionEvaluator {
  private readonly memo = new Map<string, number>();

  constructor(private readonly ctx: ConditionContext) {}

  /** Index of the arm that is compiled, or -1 when none is. */
  selected(c: Conditional): number {
    const key = `${c.file.path}:${c.node.startIndex}`;
    const hit = this.memo.get(key);
    if (hit !== undefined) return hit;
    let chosen = -1;
    for (let i = 0; i < c.branches.length; i++) {
      const b = c.branches[i]!;
      if (this.holds(c.file, b)) {
        chosen = i;
        break;
      }
    }
    this.memo.set(key, chosen);
    return chosen;
  }

  /** Whether every conditional around a definition selects the arm it sits in. */
  guardsHold(guards: readonly Guard[]): boolean {
    return guards.every((g) => this.selected(g.conditional) === g.branch);
  }

  private holds(file: ParsedFile, b: Branch): boolean {
    if (b.kind === 'else') return true;
    const cond = b.condition;
    const shown = directiveText(b, file);
    if (!cond) throw new ExtractError(`${file.path}:${b.line}: cannot decide \`${shown}\`: the directive has no condition`);
    try {
      if (b.kind === 'ifdef') return this.defined(cond.text, file, cond.startIndex);
      if (b.kind === 'ifndef') return !this.defined(cond.text, file, cond.startIndex);
      return this.value(cond, file) !== 0;
    } catch (error) {
      if (error instanceof Undecidable) {
        throw new ExtractError(`${file.path}:${b.line}: cannot decide \`${shown}\`: ${error.message}`);
      }
      throw error;
    }
  }

  private defined(name: string, file: ParsedFile, index: number): boolean {
    if (name.startsWith('CONFIG_')) {
      const v = this.ctx.config[name];
      if (v === undefined) throw new Undecidable(`${name} is not in the x86-64 config table (src/realc/extract/config.ts)`);
      return v !== false;
    }
    if (this.ctx.archUndefined.has(name)) return false;
    if (name in this.ctx.archMacros) return true;
    if (this.ctx.shimMacros.has(name)) return true;
    return this.ctx.kernelMacroBefore(name, file, index);
  }

  private value(n: Node, file: ParsedFile): number {
    switch (n.type) {
      case 'number_literal':
        return numberValue(n.text);
      case 'identifier': {
        const name = n.text;
        if (name.startsWith('CONFIG_')) {
          const v = this.ctx.config[name];
          if (v === undefined) throw new Undecidable(`${name} is not in the x86-64 config table (src/realc/extract/config.ts)`);
          return typeof v === 'number' ? v : v ? 1 : 0;
        }
        const arch = this.ctx.archMacros[name];
        if (arch !== undefined) return arch;
        if (this.defined(name, file, n.startIndex)) throw new Undecidable(`the value of macro ${name} is not known here`);
        return 0;
      }
      case 'preproc_defined': {
        const id = n.namedChildren.find((c) => c?.type === 'identifier');
        if (!id) throw new Undecidable(`malformed defined(): ${n.text}`);
        return this.defined(id.text, file, id.startIndex) ? 1 : 0;
      }
      case 'call_expression': {
        const fn = n.childForFieldName('function')?.text ?? '';
        const args = n.childForFieldName('arguments')?.namedChildren ?? [];
        const arg = args[0];
        if (args.length !== 1 || arg?.type !== 'identifier') throw new Undecidable(`cannot evaluate ${n.text}`);
        if (fn === 'IS_ENABLED' || fn === 'IS_BUILTIN' || fn === 'IS_REACHABLE')
          return this.defined(arg.text, file, arg.startIndex) ? 1 : 0;
        if (fn === 'IS_MODULE') {
          this.defined(arg.text, file, arg.startIndex);
          return 0;
        }
        throw new Undecidable(`cannot evaluate ${fn}() in a condition`);
      }
      case 'parenthesized_expression': {
        const inner = n.namedChildren.find((c) => c !== null && c.type !== 'comment');
        if (!inner) throw new Undecidable(`empty parentheses`);
        return this.value(inner, file);
      }
      case 'unary_expression': {
        const op = n.childForFieldName('operator')?.text;
        const v = this.value(n.childForFieldName('argument')!, file);
        if (op === '!') return v === 0 ? 1 : 0;
        if (op === '-') return -v;
        if (op === '~') return ~v;
        if (op === '+') return v;
        throw new Undecidable(`operator ${op} in a condition`);
      }
      case 'binary_expression':
        return this.binary(n, file);
      case 'conditional_expression':
        return this.value(n.childForFieldName('condition')!, file) !== 0
          ? this.value(n.childForFieldName('consequence')!, file)
          : this.value(n.childForFieldName('alternative')!, file);
      default:
        throw new Undecidable(`cannot evaluate \`${n.text}\``);
    }
  }

  private binary(n: Node, file: ParsedFile): number {
    const op = n.childForFieldName('operator')?.text;
    const l = () => this.value(n.childForFieldName('left')!, file);
    const r = () => this.value(n.childForFieldName('right')!, file);
    switch (op) {
      case '&&':
        return l() !== 0 && r() !== 0 ? 1 : 0;
      case '||':
        return l() !== 0 || r() !== 0 ? 1 : 0;
      case '==':
        return l() === r() ? 1 : 0;
      case '!=':
        return l() !== r() ? 1 : 0;
      case '<':
        return l() < r() ? 1 : 0;
      case '>':
        return l() > r() ? 1 : 0;
      case '<=':
        return l() <= r() ? 1 : 0;
      case '>=':
        return l() >= r() ? 1 : 0;
      case '+':
        return l() + r();
      case '-':
        return l() - r();
      case '*':
        return l() * r();
      case '&':
        return l() & r();
      case '|':
        return l() | r();
      case '^':
        return l() ^ r();
      case '<<':
        return l() << r();
      case '>>':
        return l() >> r();
      default:
        throw new Undecidable(`operator ${op} in a condition`);
    }
  }
}

/** An integer literal as the preprocessor reads it (suffixes U/L dropped). */
function numberValue(text: string): number {
  let digits = text;
  while (digits.length > 1 && 'uUlL'.includes(digits[digits.length - 1]!)) digits = digits.slice(0, -1);
  const v =
    digits.startsWith('0x') || digits.startsWith('0X')
      ? Number.parseInt(digits.slice(2), 16)
      : digits.startsWith('0') && digits.length > 1
        ? Number.parseInt(digits.slice(1), 8)
        : Number.parseInt(digits, 10);
  if (Number.isNaN(v)) throw new Undecidable(`cannot read the number ${text}`);
  return v;
}

/** The directive as written, for messages: `#ifdef CONFIG_X`, `#if defined(A) && B`. */
function directiveText(b: Branch, file: ParsedFile): string {
  const word = b.kind === 'if' ? '#if' : `#${b.kind}`;
  return b.condition ? `${word} ${file.text.slice(b.condition.startIndex, b.condition.endIndex)}` : word;
}
