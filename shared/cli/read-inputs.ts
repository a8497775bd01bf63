/**
 * Reads the files and directories named on the command line into certificates and CRLs.
 * Input that cannot be read as the format it should be is a UsageError naming the file (exit 2);
 * a certificate inside a readable container that fails to parse is reported as MALFORMED instead,
 * so that one bad entry in a directory of thousands does not hide the verdicts on the rest.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { type Certificate, CertificateParseError, parseCertificate } from "../pki/certificate.ts";
import { type Crl, parseCrl } from "../pki/crl.ts";
import { extractCertificates, extractCrls } from "../pki/formats.ts";
import type { CertificateInput } from "../usecases/validate-certificates.ts";
import { UsageError } from "./usage-error.ts";

/** File name endings read from a directory of certificates; anything else there is left alone. */
const CERTIFICATE_FILE = new Set([".cer", ".crt", ".pem", ".der", ".p7b", ".p7c", ".sst", ".cert"]);
/** The same for a directory of CRLs (`--crl DIR`). */
const CRL_FILE = new Set([".crl", ".pem", ".der", ".p7b", ".p7c"]);

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : (e as Error).message;
    throw new UsageError(`${path}: cannot read (${why})`);
  }
}

function extract<T>(path: string, bytes: Uint8Array, fn: (b: Uint8Array, source: string) => T): T {
  try {
    return fn(bytes, path);
  } catch (e) {
    throw new UsageError(
      (e as Error).message.startsWith(path) ? (e as Error).message : `${path}: ${(e as Error).message}`,
    );
  }
}

/** A file to read, and whether it was named on the command line or found in a directory. */
interface Entry {
  readonly path: string;
  readonly fromDirectory: boolean;
}

async function expandEntries(
  paths: readonly string[],
  endings: ReadonlySet<string> = CERTIFICATE_FILE,
): Promise<Entry[]> {
  const out: Entry[] = [];
  for (const path of paths) {
    let isDir: boolean;
    try {
      isDir = (await stat(path)).isDirectory();
    } catch {
      throw new UsageError(`${path}: no such file or directory`);
    }
    if (!isDir) {
      out.push({ path, fromDirectory: false });
      continue;
    }
    const names = (await readdir(path, { withFileTypes: true }))
      .filter((d) => d.isFile() && endings.has(extname(d.name).toLowerCase()))
      .map((d) => d.name)
      .sort();
    // A directory that contributes nothing is a mistake worth naming, not an empty trust store or CRL set.
    if (names.length === 0)
      throw new UsageError(`${path}: no ${[...endings].join(", ")} file in this directory`);
    out.push(...names.map((n) => ({ path: join(path, n), fromDirectory: true })));
  }
  return out;
}

/** Expands DIR arguments into their files with one of `endings` (sorted, not recursive); FILEs stay as given. */
export async function expandPaths(
  paths: readonly string[],
  endings: ReadonlySet<string> = CERTIFICATE_FILE,
): Promise<string[]> {
  return (await expandEntries(paths, endings)).map((e) => e.path);
}

function parseEach(file: string, ders: readonly Uint8Array[]): CertificateInput[] {
  return ders.map((der, i) => {
    const index = ders.length > 1 ? i : undefined;
    try {
      return { file, index, certificate: parseCertificate(der) };
    } catch (e) {
      if (!(e instanceof CertificateParseError)) throw e;
      return { file, index, parseError: e.message };
    }
  });
}

/**
 * Reads the certificates to validate, `concurrency` files at a time, calling `onFile` per file read
 * (progress for large directories). Order follows the arguments, then file names.
 */
export async function readCertificatesToValidate(
  paths: readonly string[],
  onFile: (done: number, total: number) => void = () => {},
  concurrency = 64,
): Promise<CertificateInput[]> {
  const files = await expandEntries(paths);
  const results: CertificateInput[][] = new Array(files.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const i = next++;
      results[i] = readToValidate(files[i]!, await readBytes(files[i]!.path));
      onFile(++done, files.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
  return results.flat();
}

/**
 * A file named on the command line that is not a certificate file is a usage error (exit 2); one found in a
 * directory is a MALFORMED verdict, so that one bad `.cer` among thousands does not hide the rest.
 */
function readToValidate(entry: Entry, bytes: Uint8Array): CertificateInput[] {
  const { path, fromDirectory } = entry;
  try {
    return parseEach(path, extract(path, bytes, extractCertificates));
  } catch (e) {
    if (!fromDirectory || !(e instanceof UsageError)) throw e;
    const detail = e.message.startsWith(`${path}: `) ? e.message.slice(path.length + 2) : e.message;
    return [{ file: path, parseError: `not a certificate file: ${detail}` }];
  }
}

/** Reads anchor or intermediate certificates: any problem with them is a usage error naming the file. */
export async function readCertificateFiles(paths: readonly string[]): Promise<Certificate[]> {
  const out: Certificate[] = [];
  for (const file of await expandPaths(paths)) {
    for (const input of parseEach(file, extract(file, await readBytes(file), extractCertificates))) {
      if ("parseError" in input) throw new UsageError(`${file}: ${input.parseError}`);
      out.push(input.certificate);
    }
  }
  return out;
}

/** Reads CRL files (PEM, DER or PKCS#7). */
export async function readCrlFiles(paths: readonly string[]): Promise<Crl[]> {
  const out: Crl[] = [];
  for (const file of await expandPaths(paths, CRL_FILE)) {
    for (const der of extract(file, await readBytes(file), extractCrls)) {
      try {
        out.push(parseCrl(der));
      } catch (e) {
        throw new UsageError(`${file}: not a valid CRL (${(e as Error).message})`);
      }
    }
  }
  return out;
}
