import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { webcrypto, X509Certificate as NodeX } from "node:crypto";
x509.cryptoProvider.set(webcrypto);
const alg = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", publicExponent: new Uint8Array([1,0,1]), modulusLength: 2048 };
const keys = await webcrypto.subtle.generateKey(alg, false, ["sign","verify"]);
const cert = await x509.X509CertificateGenerator.createSelfSigned({ serialNumber: "01", name: "CN=Test, O=Contoso", notBefore: new Date("2026-01-01"), notAfter: new Date("2027-01-01"), signingAlgorithm: alg, keys,
 extensions: [new x509.BasicConstraintsExtension(true, 2, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign|x509.KeyUsageFlags.cRLSign, true), new x509.SubjectAlternativeNameExtension([{type:"email", value:"a@b.com"}]), await x509.SubjectKeyIdentifierExtension.create(keys.publicKey)] });
const der = new Uint8Array(cert.rawData);
let t=performance.now(); for (let i=0;i<10000;i++){ const c=new x509.X509Certificate(der); c.subject; c.extensions.length; c.getExtension(x509.BasicConstraintsExtension);} console.log("peculiar parse+subject+ext", (performance.now()-t)/10000*1000, "us");
t=performance.now(); for (let i=0;i<10000;i++){ const c=new NodeX(der); c.subject; } console.log("node X509", (performance.now()-t)/10000*1000, "us");
// crl
const entries=[]; for(let i=0;i<100000;i++) entries.push({serialNumber: (i+0x100000).toString(16), revocationDate: new Date("2026-02-01"), reason: 1});
t=performance.now();
const crl = await x509.X509CrlGenerator.create({ issuer: cert.subject, thisUpdate: new Date("2026-03-01"), nextUpdate: new Date("2026-04-01"), entries, signingAlgorithm: alg, signingKey: keys.privateKey });
console.log("crl gen ms", performance.now()-t, "size", crl.rawData.byteLength);
