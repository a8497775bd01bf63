/**
 * The admin routes' deps (admin/reprovision, admin/operations/{id}, users/{upn}/readiness,
 * certificates/validate): each use case with its own deps bound. functions/api.ts `apiDeps` spreads these in.
 */

import type { AdminApiDeps } from "../shared/http/routes/index.ts";
import type { OperationStore } from "../shared/ports.ts";
import type { Deps } from "../shared/usecases/deps.ts";
import { queryReadiness } from "../shared/usecases/query-readiness.ts";
import { requestReprovision } from "../shared/usecases/reprovision.ts";
import { validateUpload } from "../shared/usecases/validate-upload.ts";

export function adminApiDeps(deps: Deps & { readonly operations: OperationStore }): AdminApiDeps {
  return {
    requestReprovision: (input) => requestReprovision(deps, input),
    operations: deps.operations,
    queryReadiness: (upn) => queryReadiness(deps, upn),
    validateUpload: (input) => validateUpload(deps, input),
  };
}
