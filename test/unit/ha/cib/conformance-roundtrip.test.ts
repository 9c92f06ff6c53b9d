// Round trip of every Pacemaker scheduler case in ../shared/conformance/pacemaker-scheduler
// through the CIB model. For each NAME.xml: import succeeds; export → import gives an equal
// snapshot (and the same digest), and exporting that again gives the same text; the export says
// what the original said, compared semantically (compareCibXml): the only differences allowed are
// canonical respellings and the content the import warned it dropped, one for one. A summary of
// warnings by kind and of the cases that lose anything is printed at the end.
//
// The folder lives outside the repository (PACEMAKER_CONFORMANCE_DIR overrides where). When it is
// absent the suite says so and is skipped; in CI (`CI` set) its absence is a failure, so that CI
// cannot pass without running the cases.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DROPPING_WARNINGS,
  cibDigest,
  compareCibXml,
  exportCibXml,
  importCibXml,
  parseXml,
  type CibWarning,
  type XmlDifference,
} from '../../../../src/ha/cib/index.js';

// PACEMAKER_CONFORMANCE_DIR points elsewhere (any folder laid out the same way).
const folder = ((dir) => (dir.endsWith('/') ? dir : `${dir}/`))(
  process.env['PACEMAKER_CONFORMANCE_DIR'] ?? fileURLToPath(new URL('../../../../../shared/conformance/pacemaker-scheduler/', import.meta.url)),
);
const title = 'CIB XML round trip over the Pacemaker scheduler cases';
const inCi = process.env['CI'] !== undefined && process.env['CI'] !== '';

if (!existsSync(folder)) {
  if (inCi) {
    describe(title, () => {
      it('finds the conformance folder', () => {
        throw new Error(`the conformance folder ${folder} is missing, and CI must run these cases`);
      });
    });
  } else {
    console.warn(`${title}: skipped, ${folder} is absent (it lives next to the repository, in ../shared)`);
    describe.skip(`${title} (skipped: ${folder} is absent)`, () => {
      it('runs every case', () => undefined);
    });
  }
} else {
  describe(title, () => {
    const names = readdirSync(folder)
      .filter((f) => f.endsWith('.xml'))
      .map((f) => f.slice(0, -'.xml'.length))
      .sort();
    const warningCounts = new Map<string, number>();
    const lossByCase = new Map<string, string[]>();
    const commentsByCase = new Map<string, number>();
    const respelled = { values: 0, cases: 0 };

    it('has every case listed in cases.tsv', () => {
      const listed = readFileSync(`${folder}cases.tsv`, 'utf8')
        .split('\n')
        .slice(1)
        .filter((line) => line.trim() !== '')
        .map((line) => line.split('\t')[0] ?? '')
        .sort();
      expect(names).toEqual(listed);
      expect(names.length).toBeGreaterThan(0);
    });

    for (const name of names) {
      it(name, () => {
        const text = readFileSync(`${folder}${name}.xml`, 'utf8');
        const first = importCibXml(text);
        if (!first.ok) return expect.fail(`import failed: ${JSON.stringify(first.error)}`);
        const { cib, warnings } = first.value;
        for (const w of warnings) warningCounts.set(w.kind, (warningCounts.get(w.kind) ?? 0) + 1);
        const comments = warnings.filter((w) => w.kind === 'comment-dropped').length;
        if (comments > 0) commentsByCase.set(name, comments);

        const exported = exportCibXml(cib);
        const second = importCibXml(exported);
        if (!second.ok) return expect.fail(`re-import of the export failed: ${JSON.stringify(second.error)}`);
        expect(second.value.cib).toStrictEqual(cib);
        expect(cibDigest(second.value.cib)).toBe(cibDigest(cib));
        expect(exportCibXml(second.value.cib)).toBe(exported);
        // Everything dropped was dropped the first time: the export holds nothing more to drop.
        expect(second.value.warnings.filter((w) => DROPPING_WARNINGS.has(w.kind))).toEqual([]);

        const original = parseXml(text);
        const written = parseXml(exported);
        if (!original.ok || !written.ok) return expect.fail('parseXml failed on a document that imported');
        const differences = compareCibXml(original.value, written.value);
        const respellings = differences.filter((d) => d.kind === 'respelled-value').length;
        respelled.values += respellings;
        if (respellings > 0) respelled.cases++;
        const losses = differences.filter((d) => d.kind !== 'respelled-value');
        expect(losses.map(describeDifference).sort()).toEqual(droppedByWarnings(warnings).sort());
        if (losses.length > 0) lossByCase.set(name, losses.map(describeDifference));
      });
    }

    afterAll(() => {
      const lines = [`${title}: ${names.length} cases`];
      lines.push(`  warnings by kind: ${[...warningCounts].sort().map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`);
      lines.push(`  canonical respellings (same meaning): ${respelled.values} values in ${respelled.cases} cases`);
      lines.push(`  cases that lose elements or attributes (all of it warned about): ${lossByCase.size}${lossByCase.size > 0 ? ` (${[...lossByCase.keys()].join(', ')})` : ''}`);
      lines.push(`  cases that lose comments only: ${commentsByCase.size} (${[...commentsByCase].map(([n, c]) => `${n} ${c}`).join(', ')})`);
      const byWhat = new Map<string, number>();
      for (const losses of lossByCase.values()) for (const l of losses) byWhat.set(l.replace(/\[@id='[^']*'\]/g, ''), (byWhat.get(l.replace(/\[@id='[^']*'\]/g, '')) ?? 0) + 1);
      for (const [what, n] of [...byWhat].sort((a, b) => b[1] - a[1])) lines.push(`    ${n} x ${what}`);
      console.log(lines.join('\n'));
    });
  });
}

/** `kind path@attribute` for an element or attribute the export lacks. */
function describeDifference(d: XmlDifference): string {
  return `${d.kind} ${d.path}${d.attribute === undefined ? '' : `@${d.attribute}`}`;
}

/**
 * The differences a document's warnings predict: each dropped attribute or element is missing from
 * the export. Comments and text are not elements, so the comparison does not see them.
 */
function droppedByWarnings(warnings: readonly CibWarning[]): string[] {
  return warnings.flatMap((w) => {
    if (w.kind === 'unknown-attribute') return [`missing-attribute ${w.path}@${w.attribute ?? ''}`];
    if (w.kind === 'unknown-element' || w.kind === 'ignored-element') return [`missing-element ${w.path}`];
    return [];
  });
}
