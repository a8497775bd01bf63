/**
 * `POST /api/certificates` (Admin): register a manually distributed certificate,
 * `{userPrincipalName, certificate (PEM or base64 DER), purpose, smtp?}` → 202 `{thumbprint}`.
 * 202, not 201: the certificate is accepted for tracking; its verdict comes later through the pipeline.
 */
import type {
  RegisterCertificateInput,
  RegisterCertificateResult,
} from "../../usecases/register-certificate.ts";
import { RegisterCertificateBody } from "../../usecases/register-certificate.ts";
import type { Handler } from "../api.ts";
import { readJson } from "../body.ts";
import { json } from "../responses.ts";
import type { Route } from "../router.ts";

/** A PEM certificate is a few KiB; 256 KiB leaves room for a long chain pasted by mistake, and no more. */
export const POST_CERTIFICATES_BODY_LIMIT = 256 * 1024;

/** Unknown fields are refused: a misspelt `smtp` silently dropped would register the wrong check. */
const Body = RegisterCertificateBody.strict();

export interface PostCertificatesDeps {
  /** The use case `registerCertificate`, its own deps bound. */
  readonly registerCertificate: (input: RegisterCertificateInput) => Promise<RegisterCertificateResult>;
}

export function postCertificates(deps: PostCertificatesDeps): Handler {
  return async (request) => {
    const body = await readJson(request, Body, POST_CERTIFICATES_BODY_LIMIT);
    const traceparent = request.header("traceparent");
    const result = await deps.registerCertificate({
      ...body,
      requestedBy: request.principal?.name ?? "unknown",
      ...(traceparent === undefined ? {} : { traceparent }),
    });
    return json(202, { thumbprint: result.thumbprint });
  };
}

export const postCertificatesRoute = (deps: PostCertificatesDeps): Route => ({
  name: "postCertificates",
  method: "POST",
  path: "certificates",
  access: "admin",
  bodyLimit: POST_CERTIFICATES_BODY_LIMIT,
  handle: postCertificates(deps),
});
