/**
 * postCertificatesValidate: `POST /api/certificates/validate` — validate an uploaded certificate (Reader). The
 * route itself is shared/http/routes/certificates-validate.ts.
 */
import { apiHandler, httpOptions } from "./api.ts";

export const postCertificatesValidateOptions = httpOptions("certificates/validate");

export const postCertificatesValidate = apiHandler;
