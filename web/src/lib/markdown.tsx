import { h, type ComponentChildren, type VNode } from 'preact';

// A small Markdown renderer that builds VDOM nodes directly: message text only ever becomes text nodes and a fixed
// set of elements, never HTML. Links keep only http:, https: and mailto: targets. Input past RICH_LIMIT
// characters is not parsed (the caller shows it as plain text), and every search for a closing marker is cached,
// so hostile input (thousands of unmatched markers) stays linear.

export const RICH_LIMIT = 20_000;
const MAX_INLINE_DEPTH = 4;
const MAX_QUOTE_DEPTH = 4;
const MAX_TABLE_COLUMNS = 30;

export function safeHref(raw: string): string | null {
  const trimmed = raw.trim();
  if (!/^(https?:\/\/|mailto:)/i.test(trimmed)) return null;
  try {
    const url = new URL(trimmed);
    return url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'mailto:' ? url.href : null;
  } catch {
    return null;
  }
}

function link(href: string, children: ComponentChildren): VNode<any> {
  return h('a', { href, target: '_blank', rel: 'noopener noreferrer nofollow' }, children);
}

/** Finds markers left to right, remembering each answer so repeated searches never rescan the text. */
class Finder {
  private _cache = new Map<string, { from: number; at: number }>();
  constructor(private readonly _text: string) {}
  next(marker: string, from: number): number {
    const hit = this._cache.get(marker);
    if (hit && hit.from <= from && (hit.at === -1 || hit.at >= from)) return hit.at;
    const at = this._text.indexOf(marker, from);
    this._cache.set(marker, { from, at });
    return at;
  }
}

const urlRe = /(https?:\/\/[^\s<>"'`]+|mailto:[^\s<>"'`]+)/iy;
const mentionRe = /@([A-Za-z0-9._-]{1,100})/y;
const isWordChar = (c: string | undefined) => !!c && /[\p{L}\p{N}]/u.test(c);

export function renderInline(text: string, depth = 0): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  if (depth > MAX_INLINE_DEPTH) return [text];
  const find = new Finder(text);
  let buffer = '';
  const flush = () => {
    if (buffer) out.push(buffer);
    buffer = '';
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length && /[\\`*_{}[\]()#+\-.!~|>]/.test(text[i + 1])) {
      buffer += text[i + 1];
      i += 2;
      continue;
    }
    if (c === '\n') {
      flush();
      out.push(h('br', null));
      i++;
      continue;
    }
    if (c === '`') {
      let run = 1;
      while (text[i + run] === '`') run++;
      const fence = '`'.repeat(run);
      const end = find.next(fence, i + run);
      if (end !== -1) {
        flush();
        out.push(h('code', null, text.slice(i + run, end)));
        i = end + run;
        continue;
      }
      buffer += fence;
      i += run;
      continue;
    }
    const pair = text.slice(i, i + 2);
    if ((pair === '**' || pair === '__' || pair === '~~') && text[i + 2] && text[i + 2] !== ' ') {
      const end = find.next(pair, i + 2);
      if (end > i + 2) {
        flush();
        const tag = pair === '~~' ? 'del' : 'strong';
        out.push(h(tag, null, renderInline(text.slice(i + 2, end), depth + 1)));
        i = end + 2;
        continue;
      }
    }
    if ((c === '*' || c === '_') && text[i + 1] && text[i + 1] !== ' ' && text[i + 1] !== c
      && !(c === '_' && isWordChar(text[i - 1]))) {
      const end = find.next(c, i + 1);
      if (end > i + 1 && text[end - 1] !== ' ' && !(c === '_' && isWordChar(text[end + 1]))) {
        flush();
        out.push(h('em', null, renderInline(text.slice(i + 1, end), depth + 1)));
        i = end + 1;
        continue;
      }
    }
    if (c === '[') {
      const close = find.next(']', i + 1);
      if (close !== -1 && text[close + 1] === '(') {
        const paren = destinationEnd(text, close + 2);
        if (paren !== -1) {
          const label = text.slice(i + 1, close);
          const href = safeHref(text.slice(close + 2, paren));
          flush();
          // An unsafe target (javascript:, data:, …) keeps its label as plain text and loses the link.
          out.push(href ? link(href, renderInline(label, depth + 1)) : label);
          i = paren + 1;
          continue;
        }
      }
    }
    if ((c === 'h' || c === 'm') && !isWordChar(text[i - 1])) {
      urlRe.lastIndex = i;
      const match = urlRe.exec(text);
      if (match) {
        let url = match[1];
        while (/[.,;:!?)\]]$/.test(url)) url = url.slice(0, -1);
        const href = safeHref(url);
        if (href) {
          flush();
          out.push(link(href, url));
          i += url.length;
          continue;
        }
      }
    }
    if (c === '@' && !isWordChar(text[i - 1])) {
      mentionRe.lastIndex = i;
      const match = mentionRe.exec(text);
      if (match) {
        const name = match[1].replace(/[._-]+$/, '');
        if (name) {
          flush();
          out.push(h('span', { class: 'mention' }, '@' + name));
          i += name.length + 1;
          continue;
        }
      }
    }
    buffer += c;
    i++;
  }
  flush();
  return out;
}

const fenceRe = /^\s{0,3}(```+|~~~+)\s*([\w+-]*)/;
const headingRe = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const ulRe = /^\s{0,3}[-*+]\s+(.*)$/;
const olRe = /^\s{0,3}(\d{1,9})[.)]\s+(.*)$/;
const hrRe = /^\s{0,3}([-*_])(\s*\1){2,}\s*$/;
const quoteRe = /^\s{0,3}>\s?(.*)$/;
const tableSepRe = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

function splitRow(line: string): string[] {
  let row = line.trim();
  if (row.startsWith('|')) row = row.slice(1);
  if (row.endsWith('|') && !row.endsWith('\\|')) row = row.slice(0, -1);
  const cells: string[] = [];
  let current = '';
  for (let i = 0; i < row.length; i++) {
    if (row[i] === '\\' && row[i + 1] === '|') {
      current += '|';
      i++;
    } else if (row[i] === '|') {
      cells.push(current.trim());
      current = '';
    } else {
      current += row[i];
    }
  }
  cells.push(current.trim());
  return cells.slice(0, MAX_TABLE_COLUMNS);
}

function isBlockStart(line: string, next: string | undefined): boolean {
  return fenceRe.test(line) || headingRe.test(line) || ulRe.test(line) || olRe.test(line) || hrRe.test(line)
    || quoteRe.test(line) || (line.includes('|') && next !== undefined && tableSepRe.test(next) && next.includes('-'));
}

export function renderBlocks(text: string, depth = 0): VNode<any>[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const out: VNode<any>[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) {
      i++;
      continue;
    }
    const fence = fenceRe.exec(line);
    if (fence) {
      const marker = fence[1];
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i].trimStart().startsWith(marker)) body.push(lines[i++]);
      i++;
      out.push(h('pre', { class: 'code', 'data-lang': fence[2] || undefined }, h('code', null, body.join('\n'))));
      continue;
    }
    const heading = headingRe.exec(line);
    if (heading) {
      out.push(h(`h${Math.min(heading[1].length + 2, 6)}`, { class: 'md-h' }, renderInline(heading[2])));
      i++;
      continue;
    }
    if (hrRe.test(line)) {
      out.push(h('hr', null));
      i++;
      continue;
    }
    if (quoteRe.test(line)) {
      const body: string[] = [];
      while (i < lines.length && lines[i].trim() && quoteRe.test(lines[i])) body.push(quoteRe.exec(lines[i++])![1]);
      out.push(h('blockquote', null, depth < MAX_QUOTE_DEPTH ? renderBlocks(body.join('\n'), depth + 1) : body.join('\n')));
      continue;
    }
    if (ulRe.test(line) || olRe.test(line)) {
      const ordered = !ulRe.test(line);
      const re = ordered ? olRe : ulRe;
      const items: string[] = [];
      const start = ordered ? Number(olRe.exec(line)![1]) : 1;
      while (i < lines.length) {
        const item = re.exec(lines[i]);
        if (item) {
          items.push(ordered ? item[2] : item[1]);
          i++;
        } else if (lines[i].trim() && /^\s+/.test(lines[i]) && items.length) {
          items[items.length - 1] += '\n' + lines[i].trim();
          i++;
        } else {
          break;
        }
      }
      const children = items.map((item) => h('li', null, renderInline(item)));
      out.push(ordered ? h('ol', start !== 1 ? { start } : null, children) : h('ul', null, children));
      continue;
    }
    if (line.includes('|') && i + 1 < lines.length && tableSepRe.test(lines[i + 1]) && lines[i + 1].includes('-')) {
      const header = splitRow(line);
      const aligns = splitRow(lines[i + 1]).map((cell) =>
        cell.startsWith(':') && cell.endsWith(':') ? 'center' : cell.endsWith(':') ? 'right' : undefined);
      i += 2;
      const rows: string[][] = [];
      while (i < lines.length && lines[i].includes('|') && lines[i].trim()) rows.push(splitRow(lines[i++]));
      out.push(h('div', { class: 'table-wrap' }, h('table', null,
        h('thead', null, h('tr', null, header.map((cell, c) => h('th', { style: aligns[c] ? { textAlign: aligns[c] } : undefined },
          renderInline(cell))))),
        h('tbody', null, rows.map((row) => h('tr', null, header.map((_, c) =>
          h('td', { style: aligns[c] ? { textAlign: aligns[c] } : undefined }, renderInline(row[c] ?? '')))))))));
      continue;
    }
    const paragraph: string[] = [line];
    i++;
    while (i < lines.length && lines[i].trim() && !isBlockStart(lines[i], lines[i + 1])) paragraph.push(lines[i++]);
    out.push(h('p', null, renderInline(paragraph.join('\n'))));
  }
  return out;
}

/** Message text as Markdown; past RICH_LIMIT the rest is plain text (still never HTML). */
export function Markdown(props: { text: string }) {
  const { text } = props;
  if (text.length <= RICH_LIMIT) return h('div', { class: 'md' }, renderBlocks(text));
  return h('div', { class: 'md' },
    renderBlocks(text.slice(0, RICH_LIMIT)),
    h('details', { class: 'overflow' },
      h('summary', null, `Show the remaining ${(text.length - RICH_LIMIT).toLocaleString()} characters as plain text`),
      h('pre', { class: 'plain' }, text.slice(RICH_LIMIT))));
}

/**
 * Where a link destination that starts at `from` ends: the `)` that balances the parentheses inside it (URLs such as
 * `https://en.wikipedia.org/wiki/Foo_(bar)` carry them), or -1 when whitespace or the length bound comes first.
 */
function destinationEnd(text: string, from: number): number {
  let depth = 0;
  const limit = Math.min(text.length, from + 2048);
  for (let j = from; j < limit; j++) {
    const ch = text[j];
    if (ch === '(') depth++;
    else if (ch === ')') {
      if (depth === 0) return j;
      depth--;
    } else if (ch === ' ' || ch === '\n' || ch === '\t') return -1;
  }
  return -1;
}
