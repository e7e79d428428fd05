// SPDX-License-Identifier: GPL-2.0-only
// A mismatch names the broken rule, the slot and the three values.
import { formatPte, type Pte } from '../pte/index.js';
import { RULES, type RuleId } from './rules.js';

export interface Mismatch {
  readonly rule: RuleId;
  readonly message: string;
  readonly vpn?: number; // the slot, when the mismatch is about one
  readonly before?: Pte;
  readonly spec?: Pte;
  readonly variant?: Pte;
}

export function describeMismatch(m: Mismatch): string {
  const where = m.vpn === undefined ? '' : ` at vpn 0x${m.vpn.toString(16)}`;
  const lines = [`[${m.rule}] ${RULES[m.rule].title}${where}: ${m.message}`, `    kernel reason: ${RULES[m.rule].reason}`];
  if (m.before) lines.push(`    before:  ${formatPte(m.before)}`);
  if (m.spec) lines.push(`    spec:    ${formatPte(m.spec)}`);
  if (m.variant) lines.push(`    variant: ${formatPte(m.variant)}`);
  return lines.join('\n');
}
