/** @module Parsers of scanner output: XCCDF rule results (pass rate) and Lynis report files. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IngotError } from '../../src/errors/ingot-error.ts';
import { parseLynisReport } from '../../src/compliance/lynis.ts';
import { parseXccdfResults } from '../../src/compliance/xccdf-results.ts';

const ARF = `<arf:asset-report-collection><xccdf:TestResult>
<xccdf:rule-result idref="xccdf_org.ssgproject.content_rule_banner_etc_issue" role="full" severity="medium" weight="1.0">
  <xccdf:result>pass</xccdf:result><xccdf:ident system="x">CCE-1</xccdf:ident></xccdf:rule-result>
<xccdf:rule-result idref="xccdf_org.ssgproject.content_rule_partition_for_tmp" severity="low"><xccdf:result>fail</xccdf:result></xccdf:rule-result>
<xccdf:rule-result idref="xccdf_org.ssgproject.content_rule_sshd_set_idle_timeout" severity="medium"><xccdf:result>notapplicable</xccdf:result></xccdf:rule-result>
<xccdf:rule-result idref="xccdf_org.ssgproject.content_rule_other" severity="high"><xccdf:result>notselected</xccdf:result></xccdf:rule-result>
<rule-result idref="xccdf_org.ssgproject.content_rule_file_permissions_etc_shadow" severity="medium"><result>pass</result></rule-result>
</xccdf:TestResult></arf:asset-report-collection>`;

test('XCCDF results: pass rate over decided rules, per-rule results without not-selected ones', () => {
  const r = parseXccdfResults(ARF);
  assert.equal(r.pass, 2);
  assert.equal(r.fail, 1);
  assert.equal(r.passRate, 2 / 3);
  assert.equal(r.counts.notapplicable, 1);
  assert.equal(r.counts.notselected, 1);
  assert.deepEqual(
    r.rules.map((x) => [x.rule, x.result, x.severity]),
    [
      ['banner_etc_issue', 'pass', 'medium'],
      ['partition_for_tmp', 'fail', 'low'],
      ['sshd_set_idle_timeout', 'notapplicable', 'medium'],
      ['file_permissions_etc_shadow', 'pass', 'medium'],
    ],
  );
  assert.equal(parseXccdfResults('<x/>').passRate, 0);
});

test('Lynis report: hardening index, tests, warnings and suggestions; a report without an index is an error', () => {
  const report =
    '# Lynis Report\nlynis_version=3.0.8\nlynis_tests_done=100\nwarning[]=AUTH-9229|x|\nsuggestion[]=A|b|\nsuggestion[]=C|d|\nhardening_index=75\n';
  assert.deepEqual(parseLynisReport(report), {
    hardeningIndex: 75,
    testsPerformed: 100,
    warnings: 1,
    suggestions: 2,
    lynisVersion: '3.0.8',
  });
  assert.throws(
    () => parseLynisReport('lynis_version=3.0.8\n'),
    (e: unknown) => e instanceof IngotError && /no hardening_index/.test(e.message),
  );
});
