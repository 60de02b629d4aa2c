/**
 * Reading a user's JSON file: parsed with JSON.parse; on a syntax error the message names the file
 * and the line:column of the first problem (found with jsonc-parser's strict scanner — no comments,
 * no trailing commas), so that editors and terminals can jump to it: `my.json:3:7: expected ':'`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';

const WORDS: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'expected a property name in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: "expected ':'",
  CommaExpected: "expected ','",
  CloseBraceExpected: "expected '}'",
  CloseBracketExpected: "expected ']'",
  EndOfFileExpected: 'unexpected text after the end of the JSON value',
  InvalidCommentToken: 'comments are not allowed in JSON',
  UnexpectedEndOfComment: 'comments are not allowed in JSON',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'unterminated number',
  InvalidUnicode: 'invalid \\u escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'invalid character in a string',
};

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

/** Parses JSON text from `file`; a syntax error names file:line:column and what was expected there. */
export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const errors: ParseError[] = [];
    parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    const first = errors[0];
    if (!first) throw new Error(`${file}: not valid JSON: ${(e as Error).message}`);
    const { line, column } = lineColumn(text, first.offset);
    const code = printParseErrorCode(first.error);
    throw new Error(`${file}:${line}:${column}: not valid JSON: ${WORDS[code] ?? code}`);
  }
}

/** Reads and parses a JSON file; `what` names it in the error when it does not exist ("experiment", "profile"…). */
export function readJsonFile(file: string, what = 'JSON file'): unknown {
  if (!existsSync(file)) throw new Error(`${file}: ${what} not found`);
  return parseJsonText(readFileSync(file, 'utf8'), file);
}
