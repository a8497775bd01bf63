/**
 * Intune's report export, read as a stream: the ZIP that `deviceManagement/reports/exportJobs` points to
 * (one CSV file) becomes an async iterator of rows, each an object keyed by the CSV header. Memory stays
 * bounded by one chunk and one row, whatever the tenant's size.
 */
import { csvObjects } from "./csv-rows.ts";
import { readZipEntries, ZipFormatError } from "./zip-entries.ts";

export { CsvFormatError, csvObjects, csvRows } from "./csv-rows.ts";
export { readZipEntries, type ZipEntry, ZipFormatError } from "./zip-entries.ts";

/**
 * The rows of the first `.csv` entry of a ZIP download (Intune names it after the export job).
 * @throws ZipFormatError for a truncated or corrupt archive, or one without a CSV entry
 * @throws CsvFormatError for a CSV that is not well formed (the message names the row)
 */
export async function* exportRows(zip: AsyncIterable<Uint8Array>): AsyncGenerator<Record<string, string>> {
  for await (const entry of readZipEntries(zip)) {
    if (!entry.name.toLowerCase().endsWith(".csv")) continue;
    yield* csvObjects(entry.content);
    return;
  }
  throw new ZipFormatError("the export archive holds no .csv file");
}
