/**
 * `POST /api/certificates/validate` (Reader): validate an uploaded certificate before rollout. The body is the
 * PEM itself (`text/plain` or `application/x-pem-file`) or JSON `{certificate, smtp?, purpose?}`; the answer is
 * the validation report of `smimectl validate --json`, 200 whether or not the certificate is ready (the
 * report says; `x-smime-ready` repeats it for scripts). Bad input is a 400 naming the field.
 */
import type { ValidateUploadBody, ValidateUploadResult } from "../../usecases/validate-upload.ts";
import { ValidateUploadBody as Body } from "../../usecases/validate-upload.ts";
import type { Handler, RoutedRequest } from "../api.ts";
import { mediaType, readBytes, readJson } from "../body.ts";
import { invalidRequest, unsupportedMediaType } from "../errors.ts";
import { json } from "../responses.ts";
import type { Route } from "../router.ts";

/** One certificate (at most 64 KiB as text) and two short fields. */
export const CERTIFICATES_VALIDATE_BODY_LIMIT = 128 * 1024;

const PEM_TYPES = ["text/plain", "application/x-pem-file"];
const ACCEPTED = ["application/json", ...PEM_TYPES];

export interface CertificatesValidateDeps {
  /** The use case `validateUpload`, its own deps bound. */
  readonly validateUpload: (input: ValidateUploadBody) => Promise<ValidateUploadResult>;
}

async function readUpload(request: RoutedRequest): Promise<ValidateUploadBody> {
  const type = mediaType(request);
  if (type === "application/json") return readJson(request, Body.strict(), CERTIFICATES_VALIDATE_BODY_LIMIT);
  if (type === undefined || !PEM_TYPES.includes(type)) throw unsupportedMediaType(ACCEPTED);
  const bytes = await readBytes(request.body, CERTIFICATES_VALIDATE_BODY_LIMIT);
  if (bytes.byteLength === 0) throw invalidRequest("body: required");
  try {
    return { certificate: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    throw invalidRequest("body: not valid UTF-8");
  }
}

export function certificatesValidate(deps: CertificatesValidateDeps): Handler {
  return async (request) => {
    const result = await deps.validateUpload(await readUpload(request));
    return json(200, result.report, { "x-smime-ready": String(result.ready) });
  };
}

export const certificatesValidateRoute = (deps: CertificatesValidateDeps): Route => ({
  name: "postCertificatesValidate",
  method: "POST",
  path: "certificates/validate",
  access: "reader",
  bodyLimit: CERTIFICATES_VALIDATE_BODY_LIMIT,
  handle: certificatesValidate(deps),
});
