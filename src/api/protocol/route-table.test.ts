/** @module Tests routing from the model's requestUri templates and raw query parsing. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OPERATIONS } from '../../model/generated/operations.ts';
import { RouteTable } from './route-table.ts';
import { parseQuery, parseQueryStrict, splitTarget } from './query-string.ts';

const routes = new RouteTable(OPERATIONS);

test('static and labelled routes match by method and raw path', () => {
  assert.equal(routes.match('GET', '/GetComponent')?.operation, 'GetComponent');
  assert.equal(routes.match('POST', '/GetComponent'), undefined);
  const arn = 'arn%3Aaws%3Aimagebuilder%3Aus-east-1%3A123456789012%3Acomponent%2Fx%2F1.0.0%2F1';
  const tag = routes.match('POST', `/tags/${arn}`);
  assert.equal(tag?.operation, 'TagResource');
  assert.deepEqual(tag?.rawLabels, { resourceArn: arn });
  assert.equal(routes.match('DELETE', `/tags/${arn}`)?.operation, 'UntagResource');
  assert.equal(routes.match('GET', '/tags/a/b'), undefined, 'an unencoded slash is not part of a label');
  assert.equal(routes.match('GET', '/tags/'), undefined);
});

test('query strings and request targets are split exactly', () => {
  assert.deepEqual(parseQuery('a=1&b=x%20y&b=%2B+&c'), [
    { key: 'a', value: '1' },
    { key: 'b', value: 'x y' },
    { key: 'b', value: '++' },
    { key: 'c', value: '' },
  ]);
  assert.throws(() => parseQueryStrict('a=%E0%A4%A'), /at 'queryString' failed to satisfy constraint/);
  assert.deepEqual(splitTarget('/p%2Fq?x=1#frag'), { rawPath: '/p%2Fq', rawQuery: 'x=1' });
  assert.deepEqual(splitTarget('http://h:1/a?b'), { rawPath: '/a', rawQuery: 'b' });
});
