// Masterminds/goutils as Sprig calls it: SwapCase (swapcase), Abbreviate/AbbreviateFull (abbrev, abbrevboth) and
// WrapCustom (wrap, wrapWith).
import { isLower, isSpace, isTitleCase, isUpper, toLower, toUpper } from './unicode.ts';
import { sliceBytes } from './util.ts';

/** goutils.SwapCase. */
export function swapCase(s: string): string {
  let ws = true;
  let out = '';
  for (const c of s) {
    if (isUpper(c) || isTitleCase(c)) out += toLower(c);
    else if (isLower(c)) out += ws ? toUpper(c) : toUpper(c);
    else out += c;
    ws = isSpace(c);
  }
  return out;
}

/** goutils.AbbreviateFull on the UTF-8 bytes of str. */
export function abbreviateFull(str: string, offset: number, maxWidth: number): string {
  const b = Buffer.from(str, 'utf8');
  const len = b.length;
  if (len === 0) return '';
  if (len <= maxWidth) return str;
  if (offset > len) offset = len;
  if (len - offset < maxWidth - 3) offset = len - (maxWidth - 3);
  if (offset <= 4) return sliceBytes(str, 0, maxWidth - 3) + '...';
  if (maxWidth < 7) return str;
  if (offset + maxWidth - 3 < len) return '...' + abbreviateFull(sliceBytes(str, offset), 0, maxWidth - 3);
  return '...' + sliceBytes(str, len - (maxWidth - 3));
}

/** goutils.WrapCustom. */
export function wrapCustom(str: string, wrapLength: number, newLine: string, wrapLong: boolean): string {
  if (str === '') return '';
  if (newLine === '') newLine = '\n';
  if (wrapLength < 1) wrapLength = 1;
  const len = str.length;
  let offset = 0;
  let out = '';
  while (len - offset > wrapLength) {
    if (str[offset] === ' ') {
      offset++;
      continue;
    }
    const end = wrapLength + offset + 1;
    const space = str.slice(offset, end).lastIndexOf(' ') + offset;
    if (space >= offset) {
      out += str.slice(offset, space) + newLine;
      offset = space + 1;
    } else if (wrapLong) {
      out += str.slice(offset, wrapLength + offset) + newLine;
      offset += wrapLength;
    } else {
      const e = wrapLength + offset;
      const idx = str.slice(e).indexOf(' ');
      if (idx === -1) {
        out += str.slice(offset);
        offset = len;
      } else {
        out += str.slice(offset, idx + e) + newLine;
        offset = idx + e + 1;
      }
    }
  }
  return out + str.slice(offset);
}
