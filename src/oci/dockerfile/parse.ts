/** @module Parses an Image Builder dockerfileTemplateData into ordered, typed instructions (placeholders recognised). */
import { execForm, keyValues, logicalLines, splitWords, templateError, type LogicalLine } from './lexer.ts';
import { placeholdersIn, wholePlaceholder, type PlaceholderName } from './placeholders.ts';

interface At {
  line: number;
}
export type CommandForm = 'exec' | 'shell';

export type Instruction = At &
  (
    | { kind: 'placeholder'; name: PlaceholderName }
    | { kind: 'FROM'; image: string; parentImagePlaceholder: boolean; platform?: string; alias?: string }
    | { kind: 'RUN' | 'CMD' | 'ENTRYPOINT'; form: CommandForm /** exec: argv; shell: [command line] */; args: string[] }
    | { kind: 'SHELL'; args: string[] }
    | { kind: 'ENV' | 'LABEL'; pairs: Array<[string, string]> }
    | { kind: 'ARG'; name: string; defaultValue?: string }
    | { kind: 'WORKDIR' | 'USER' | 'STOPSIGNAL' | 'MAINTAINER'; value: string }
    | { kind: 'EXPOSE' | 'VOLUME'; values: string[] }
    | { kind: 'COPY' | 'ADD'; flags: Record<string, string>; sources: string[]; dest: string }
  );

const UNSUPPORTED: Record<string, string> = {
  HEALTHCHECK: 'HEALTHCHECK is Docker-specific and not part of OCI image configs',
  ONBUILD: 'ONBUILD triggers are not supported',
};

type Parser = (l: LogicalLine, escape: string) => Instruction;

function nonEmpty(l: LogicalLine): string {
  if (l.rest === '') throw templateError(l.line, `${l.keyword.toUpperCase()} needs an argument`);
  return l.rest;
}

const command =
  (kind: 'RUN' | 'CMD' | 'ENTRYPOINT'): Parser =>
  (l) => {
    const argv = execForm(nonEmpty(l));
    return argv
      ? { kind, line: l.line, form: 'exec', args: argv }
      : { kind, line: l.line, form: 'shell', args: [l.rest] };
  };

const single =
  (kind: 'WORKDIR' | 'USER' | 'STOPSIGNAL' | 'MAINTAINER'): Parser =>
  (l) => ({ kind, line: l.line, value: nonEmpty(l) });

function parseFrom(l: LogicalLine, escape: string): Instruction {
  // Placeholders contain spaces: squeeze them into one word for splitting, then restore the canonical spelling.
  const squeezed = nonEmpty(l).replace(/\{\{\{\s*imagebuilder:(\w+)\s*\}\}\}/g, '{{{imagebuilder:$1}}}');
  const words = splitWords(squeezed, l.line, escape).map((w) =>
    w.replace(/\{\{\{imagebuilder:(\w+)\}\}\}/g, '{{{ imagebuilder:$1 }}}'),
  );
  const platform = words[0]?.startsWith('--platform=') ? words.shift()!.slice('--platform='.length) : undefined;
  const [image, as, alias, ...extra] = words;
  if (!image || (as !== undefined && (as.toLowerCase() !== 'as' || !alias)) || extra.length > 0) {
    throw templateError(l.line, `FROM expects 'FROM [--platform=P] image [AS name]' (got 'FROM ${l.rest}')`);
  }
  const names = placeholdersIn(image, l.line);
  if (names.some((n) => n !== 'parentImage'))
    throw templateError(l.line, `FROM may only use the {{{ imagebuilder:parentImage }}} placeholder`);
  return {
    kind: 'FROM',
    line: l.line,
    image,
    parentImagePlaceholder: names.length > 0,
    ...(platform ? { platform } : {}),
    ...(alias ? { alias } : {}),
  };
}

function parseCopy(kind: 'COPY' | 'ADD'): Parser {
  return (l, escape) => {
    let words = splitWords(nonEmpty(l), l.line, escape);
    const flags: Record<string, string> = {};
    while (words[0]?.startsWith('--')) {
      const [name, value = 'true'] = words.shift()!.slice(2).split(/=(.*)/s);
      flags[name!] = value;
    }
    if (flags.from !== undefined)
      throw templateError(l.line, `${kind} --from needs multi-stage builds, which are not supported`);
    const rest = l.rest.replace(/^(--\S+\s+)*/, '');
    words = execForm(rest) ?? words;
    if (words.length < 2) throw templateError(l.line, `${kind} needs at least one source and a destination`);
    return { kind, line: l.line, flags, sources: words.slice(0, -1), dest: words[words.length - 1]! };
  };
}

const PARSERS: Record<string, Parser> = {
  FROM: parseFrom,
  RUN: command('RUN'),
  CMD: command('CMD'),
  ENTRYPOINT: command('ENTRYPOINT'),
  SHELL: (l) => {
    const args = execForm(nonEmpty(l));
    if (!args || args.length === 0)
      throw templateError(l.line, 'SHELL must be a JSON array, e.g. SHELL ["/bin/bash", "-c"]');
    return { kind: 'SHELL', line: l.line, args };
  },
  ENV: (l, escape) => {
    const words = splitWords(nonEmpty(l), l.line, escape);
    if (!words[0]!.includes('=')) {
      const value = l.rest.slice(l.rest.indexOf(words[0]!) + words[0]!.length).trim();
      return { kind: 'ENV', line: l.line, pairs: [[words[0]!, value]] };
    }
    return { kind: 'ENV', line: l.line, pairs: keyValues(words, l.line, 'ENV') };
  },
  LABEL: (l, escape) => ({
    kind: 'LABEL',
    line: l.line,
    pairs: keyValues(splitWords(nonEmpty(l), l.line, escape), l.line, 'LABEL'),
  }),
  ARG: (l, escape) => {
    const [word, ...extra] = splitWords(nonEmpty(l), l.line, escape);
    if (extra.length > 0) throw templateError(l.line, 'ARG takes one NAME or NAME=default');
    const eq = word!.indexOf('=');
    if (eq === -1) return { kind: 'ARG', line: l.line, name: word! };
    return { kind: 'ARG', line: l.line, name: word!.slice(0, eq), defaultValue: word!.slice(eq + 1) };
  },
  WORKDIR: single('WORKDIR'),
  USER: single('USER'),
  STOPSIGNAL: single('STOPSIGNAL'),
  MAINTAINER: single('MAINTAINER'),
  EXPOSE: (l, escape) => ({ kind: 'EXPOSE', line: l.line, values: splitWords(nonEmpty(l), l.line, escape) }),
  VOLUME: (l, escape) => ({
    kind: 'VOLUME',
    line: l.line,
    values: execForm(nonEmpty(l)) ?? splitWords(l.rest, l.line, escape),
  }),
  COPY: parseCopy('COPY'),
  ADD: parseCopy('ADD'),
};

/** Parses the template; every error names its line. Exactly one FROM is required (multi-stage is refused). */
export function parseDockerfileTemplate(text: string): Instruction[] {
  const { lines, escape } = logicalLines(text);
  const out: Instruction[] = [];
  for (const l of lines) {
    const placeholder = wholePlaceholder(`${l.keyword} ${l.rest}`, l.line);
    if (placeholder) {
      out.push({ kind: 'placeholder', line: l.line, name: placeholder });
      continue;
    }
    const keyword = l.keyword.toUpperCase();
    if (UNSUPPORTED[keyword]) throw templateError(l.line, UNSUPPORTED[keyword]!);
    const parse = PARSERS[keyword];
    if (!parse)
      throw templateError(l.line, `unknown instruction '${l.keyword}' (supported: ${Object.keys(PARSERS).join(', ')})`);
    if (keyword !== 'FROM' && placeholdersIn(l.rest, l.line).length > 0) {
      throw templateError(l.line, 'placeholders other than parentImage (in FROM) must stand alone on their own line');
    }
    const instruction = parse(l, escape);
    const seenFrom = out.some((i) => i.kind === 'FROM');
    if (instruction.kind === 'FROM' && seenFrom)
      throw templateError(l.line, 'multi-stage builds (a second FROM) are not supported');
    if (instruction.kind !== 'FROM' && instruction.kind !== 'ARG' && !seenFrom) {
      throw templateError(l.line, `${keyword} before FROM (only ARG may come before FROM)`);
    }
    out.push(instruction);
  }
  if (!out.some((i) => i.kind === 'FROM')) throw templateError(1, 'the template has no FROM instruction');
  return out;
}
