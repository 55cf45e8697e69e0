/** @module Tests for the Dockerfile template parser and config derivation, including the corpus sample's templates. */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { IngotError } from '../../errors/ingot-error.ts';
import { deriveContainerBuild } from './derive.ts';
import { parseDockerfileTemplate } from './parse.ts';

const CORPUS = join(import.meta.dirname, '../../../../shared/corpus-sample/recipes');

function plan(
  text: string,
  opts: Parameters<typeof deriveContainerBuild>[1] = {},
): ReturnType<typeof deriveContainerBuild> {
  return deriveContainerBuild(parseDockerfileTemplate(text), opts);
}

function lineError(text: string, line: number, pattern: RegExp): void {
  assert.throws(
    () => plan(text),
    (err: unknown) =>
      err instanceof IngotError &&
      err.data.line === line &&
      pattern.test(err.message) &&
      err.message.includes(`line ${line}`),
  );
}

test('the documented nginx template: placeholders in order, exec ENTRYPOINT', () => {
  const text =
    'FROM {{{ imagebuilder:parentImage }}}\n{{{ imagebuilder:environments }}}\n{{{ imagebuilder:components }}}\nENTRYPOINT ["nginx"]';
  const instructions = parseDockerfileTemplate(text);
  assert.deepEqual(
    instructions.map((i) => (i.kind === 'placeholder' ? `{${i.name}}` : i.kind)),
    ['FROM', '{environments}', '{components}', 'ENTRYPOINT'],
  );
  const p = plan(text, { parentImage: 'docker.io/library/nginx:1.27' });
  assert.equal(p.parentImage, 'docker.io/library/nginx:1.27');
  assert.ok(p.usesParentImagePlaceholder);
  assert.deepEqual(p.runtime, { Entrypoint: ['nginx'] });
  assert.deepEqual(
    p.steps.map((s) => s.kind),
    ['environments', 'components'],
  );
});

test('every config instruction, both forms, variables and continuations', () => {
  const p = plan(
    [
      '# escape=\\',
      'ARG BASE=alpine',
      'FROM $BASE AS build',
      'ENV APP_HOME=/srv/app GREETING="hello world"',
      'ENV LEGACY value with spaces',
      'WORKDIR ${APP_HOME}',
      'WORKDIR sub',
      'USER 1000:1000',
      'LABEL org.opencontainers.image.title="My App" version=${VERSION:-1.0}',
      'EXPOSE 80 443/tcp 53/UDP',
      'VOLUME ["/data"]',
      'RUN apt-get update && \\',
      '    # a comment inside the continuation',
      '    apt-get install -y curl',
      'COPY --chown=app:app ./a ./b $APP_HOME/',
      '{{{ imagebuilder:components }}}',
      'SHELL ["/bin/bash", "-eu", "-c"]',
      'RUN ["/bin/true", "x"]',
      'RUN echo done',
      'CMD nginx -g "daemon off;"',
      'STOPSIGNAL SIGQUIT',
    ].join('\n'),
  );
  assert.equal(p.parentImage, 'alpine');
  assert.ok(!p.usesParentImagePlaceholder);
  assert.deepEqual(p.runtime.Env, ['APP_HOME=/srv/app', 'GREETING=hello world', 'LEGACY=value with spaces']);
  assert.equal(p.runtime.WorkingDir, '/srv/app/sub');
  assert.equal(p.runtime.User, '1000:1000');
  assert.deepEqual(p.runtime.Labels, { 'org.opencontainers.image.title': 'My App', version: '1.0' });
  assert.deepEqual(Object.keys(p.runtime.ExposedPorts!), ['80/tcp', '443/tcp', '53/udp']);
  assert.deepEqual(p.runtime.Volumes, { '/data': {} });
  assert.deepEqual(p.runtime.Cmd, ['/bin/bash', '-eu', '-c', 'nginx -g "daemon off;"']);
  assert.equal(p.runtime.StopSignal, 'SIGQUIT');
  const [run1, copy, components, run2, run3] = p.steps;
  assert.deepEqual(run1, {
    kind: 'run',
    line: 12,
    argv: ['/bin/sh', '-c', 'apt-get update &&     apt-get install -y curl'],
    env: ['APP_HOME=/srv/app', 'GREETING=hello world', 'LEGACY=value with spaces'],
    workdir: '/srv/app/sub',
    user: '1000:1000',
  });
  assert.ok(copy?.kind === 'copy');
  assert.deepEqual([copy.sources, copy.dest, copy.chown], [['./a', './b'], '/srv/app/', 'app:app']);
  assert.equal(components?.kind, 'components');
  assert.deepEqual(run2?.kind === 'run' && run2.argv, ['/bin/true', 'x']);
  assert.deepEqual(run3?.kind === 'run' && run3.argv, ['/bin/bash', '-eu', '-c', 'echo done']);
});

test('ENTRYPOINT in shell form, and the parent config seen by the first step', () => {
  const p = plan('FROM {{{ imagebuilder:parentImage }}}\nENTRYPOINT exec nginx\nRUN id', {
    parentConfig: { Env: ['PATH=/usr/bin'], WorkingDir: '/w', User: 'nobody' },
  });
  assert.deepEqual(p.runtime.Entrypoint, ['/bin/sh', '-c', 'exec nginx']);
  assert.deepEqual(p.steps[0], {
    kind: 'run',
    line: 3,
    argv: ['/bin/sh', '-c', 'id'],
    env: ['PATH=/usr/bin'],
    workdir: '/w',
    user: 'nobody',
  });
  assert.equal(p.parentImage, '{{{ imagebuilder:parentImage }}}');
});

test('errors name the line and the rule', () => {
  lineError('FROM x\nRUN true\nFROBNICATE now', 3, /unknown instruction 'FROBNICATE'/);
  lineError('FROM x\n\nHEALTHCHECK CMD true', 3, /HEALTHCHECK/);
  lineError('FROM x\n{{{ imagebuilder:bogus }}}', 2, /unknown placeholder/);
  lineError('FROM x\nFROM y', 2, /multi-stage/);
  lineError('RUN true\nFROM x', 1, /before FROM/);
  lineError('FROM x\nENV =oops', 2, /KEY=VALUE/);
  lineError('FROM x\nEXPOSE http', 2, /EXPOSE/);
  lineError('FROM x\nCOPY --from=build /a /b', 2, /--from/);
  lineError('FROM x\nRUN echo {{{ imagebuilder:components }}}', 2, /own line/);
  lineError('FROM x\nRUN echo \\', 2, /continuation/);
  lineError('FROM x\nLABEL a="unterminated', 2, /unterminated/);
  lineError('# just a comment', 1, /no FROM/);
});

test('templates from the corpus sample parse', (t) => {
  if (!existsSync(CORPUS)) return t.skip(`corpus sample not found at ${CORPUS}`);
  const templates: string[] = [];
  for (const dir of readdirSync(CORPUS)) {
    for (const file of readdirSync(join(CORPUS, dir))) {
      const text = readFileSync(join(CORPUS, dir, file), 'utf8');
      for (const m of text.matchAll(/"dockerfileTemplateData"\s*:\s*("(?:[^"\\]|\\.)*")/g))
        templates.push(JSON.parse(m[1]!) as string);
    }
  }
  if (templates.length === 0) return t.skip('no dockerfileTemplateData in the corpus sample');
  for (const template of templates) {
    const p = plan(template, { parentImage: 'amazonlinux:latest' });
    assert.equal(p.parentImage, 'amazonlinux:latest');
    assert.ok(p.steps.some((s) => s.kind === 'components'));
  }
});
