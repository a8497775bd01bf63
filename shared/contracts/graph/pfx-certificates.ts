/** Graph contracts: Imported PKCS (PFX) certificates (beta only: deviceManagement/userPfxCertificates). */
import { z } from "zod";
import { evolvable, flags, GraphDateTime, GraphThumbprint, opt } from "./common.ts";

/** Never the encrypted blob or its password: the pipeline has no use for them and should not hold them. */
export const USER_PFX_CERTIFICATE_SELECT = [
  "id",
  "thumbprint",
  "intendedPurpose",
  "userPrincipalName",
  "startDateTime",
  "expirationDateTime",
  "providerName",
  "keyName",
  "paddingScheme",
  "createdDateTime",
  "lastModifiedDateTime",
] as const;

/** userPfxIntendedPurpose, a flags enum. */
export const UserPfxIntendedPurpose = [
  "unassigned",
  "smimeEncryption",
  "smimeSigning",
  "vpn",
  "wifi",
] as const;

export const UserPfxCertificate = z.object({
  id: z.string().min(1),
  thumbprint: GraphThumbprint,
  intendedPurpose: flags(UserPfxIntendedPurpose),
  userPrincipalName: z.string().min(1),
  startDateTime: GraphDateTime,
  expirationDateTime: GraphDateTime,
  providerName: opt(z.string()),
  keyName: opt(z.string()),
  paddingScheme: opt(evolvable(["none", "pkcs1", "oaepSha1", "oaepSha256", "oaepSha384", "oaepSha512"])),
  createdDateTime: opt(GraphDateTime),
  lastModifiedDateTime: opt(GraphDateTime),
});
export type UserPfxCertificate = z.infer<typeof UserPfxCertificate>;
