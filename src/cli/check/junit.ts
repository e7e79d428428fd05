// SPDX-License-Identifier: GPL-2.0-only
// The JUnit XML form of a check run (one suite per target, one case per property).
import type { RunRecord } from './records.js';

const esc = (s: string) => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] ?? c);

export function junitXml(records: readonly RunRecord[]): string {
  const byTarget = new Map<string, RunRecord[]>();
  for (const r of records) byTarget.set(r.result.target, [...(byTarget.get(r.result.target) ?? []), r]);
  const suites = [...byTarget].map(([target, rs]) => {
    const failures = rs.filter((r) => r.view || r.result.internalError).length;
    const time = rs.reduce((s, r) => s + r.result.ms, 0) / 1000;
    const cases = rs.map((r) => {
      const head = `    <testcase classname="mprotect-spec.${esc(target)}" name="${esc(r.result.property)}" time="${(r.result.ms / 1000).toFixed(3)}">`;
      const body = r.view
        ? `\n      <failure message="${esc(r.view.mismatches[0]?.rule ?? 'failure')}">${esc(r.text ?? '')}</failure>\n    `
        : r.result.internalError
          ? `\n      <error message="internal error">${esc(r.result.internalError)}</error>\n    `
          : r.sigint
            ? `\n      <skipped message="stopped by SIGINT"/>\n    `
            : '';
      return `${head}${body}</testcase>`;
    });
    return `  <testsuite name="${esc(target)}" tests="${rs.length}" failures="${failures}" time="${time.toFixed(3)}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n${suites.join('\n')}\n</testsuites>\n`;
}
