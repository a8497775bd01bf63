/**
 * postCertificates: `POST /api/certificates` — register a manually distributed certificate (Admin). The route itself is shared/http/routes/post-certificates.ts.
 */
import { apiHandler, httpOptions } from "./api.ts";

export const postCertificatesOptions = httpOptions("certificates");

export const postCertificates = apiHandler;
