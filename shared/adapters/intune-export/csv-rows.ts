/**
 * A streaming CSV reader (RFC 4180): comma-separated fields, double-quoted fields that may hold commas,
 * doubled quotes and line breaks, CRLF or LF line ends, a UTF-8 byte-order mark ignored. Rows are produced as
 * the bytes arrive; only the row being read is held.
 */

/** The text is not well-formed CSV; the message names the line. */
export class CsvFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CsvFormatError";
  }
}

/** A row longer than this is refused rather than held: no report row comes close. */
const MAX_ROW_CHARS = 1 << 20;

/** Where the reader is within a field. */
const State = { FieldStart: 0, Unquoted: 1, Quoted: 2, QuoteInQuoted: 3 } as const;
type State = (typeof State)[keyof typeof State];

/** Each row as its fields. Empty lines are skipped. */
export async function* csvRows(chunks: AsyncIterable<Uint8Array | string>): AsyncGenerator<string[]> {
  const decoder = new TextDecoder("utf-8", { ignoreBOM: false });
  let state = State.FieldStart as State;
  let field = "";
  let row: string[] = [];
  let rowChars = 0;
  let line = 1;
  let rowLine = 1;
  const ready: string[][] = [];

  const endField = () => {
    row.push(field);
    field = "";
  };
  const endRow = () => {
    endField();
    if (!(row.length === 1 && row[0] === "")) ready.push(row);
    row = [];
    rowChars = 0;
    state = State.FieldStart;
  };

  const consume = (text: string) => {
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (c === "\n") line++;
      if (++rowChars > MAX_ROW_CHARS)
        throw new CsvFormatError(`line ${rowLine}: a row longer than ${MAX_ROW_CHARS} characters`);
      switch (state) {
        case State.Quoted:
          if (c === '"') state = State.QuoteInQuoted;
          else field += c;
          break;
        case State.QuoteInQuoted:
          if (c === '"') {
            field += '"';
            state = State.Quoted;
          } else if (c === ",") {
            endField();
            state = State.FieldStart;
          } else if (c === "\n") {
            endRow();
            rowLine = line;
          } else if (c !== "\r")
            throw new CsvFormatError(`line ${line}: "${c}" after the closing quote of a field`);
          break;
        default:
          if (c === ",") {
            endField();
            state = State.FieldStart;
          } else if (c === "\n") {
            endRow();
            rowLine = line;
          } else if (c === '"' && state === State.FieldStart) state = State.Quoted;
          else if (c !== "\r") {
            field += c;
            state = State.Unquoted;
          }
      }
    }
  };

  for await (const chunk of chunks) {
    consume(typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true }));
    yield* ready.splice(0);
  }
  consume(decoder.decode());
  if (state === State.Quoted) throw new CsvFormatError(`line ${rowLine}: a quoted field is never closed`);
  if (state !== State.FieldStart || row.length > 0) endRow();
  yield* ready.splice(0);
}

/**
 * Rows as objects keyed by the header row's names. A row with a different number of fields than the header
 * is a CsvFormatError: a shifted column would silently mix up fields.
 */
export async function* csvObjects(
  chunks: AsyncIterable<Uint8Array | string>,
): AsyncGenerator<Record<string, string>> {
  let header: string[] | undefined;
  let row = 1;
  for await (const fields of csvRows(chunks)) {
    if (!header) {
      header = fields.map((f) => f.trim());
      continue;
    }
    row++;
    if (fields.length !== header.length)
      throw new CsvFormatError(`row ${row}: ${fields.length} fields, the header has ${header.length}`);
    const record: Record<string, string> = {};
    for (let i = 0; i < header.length; i++) record[header[i]!] = fields[i]!;
    yield record;
  }
}
