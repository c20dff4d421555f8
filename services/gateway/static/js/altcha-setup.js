// Registers the ALTCHA proof-of-work workers served by the gateway (the strict-CSP widget build has none bundled).
// Loaded as a module right after /static/altcha/altcha.min.js, before any widget starts solving.
const base = new URL("../altcha/workers/", import.meta.url);
const sameOrigin = base.origin === globalThis.location.origin;

function worker(file) {
  const url = new URL(file, base).href;
  if (sameOrigin) return () => new Worker(url);
  // The embeddable snippet on another site: a worker must be same-origin, so start a tiny blob worker that
  // imports ours (needs the embedding page's CSP to allow blob: workers).
  return () => new Worker(URL.createObjectURL(new Blob([`importScripts(${JSON.stringify(url)});`], { type: "text/javascript" })));
}

const registry = globalThis.$altcha && globalThis.$altcha.algorithms;
if (registry) {
  const pbkdf2 = worker("pbkdf2.js");
  const sha = worker("sha.js");
  for (const alg of ["PBKDF2/SHA-256", "PBKDF2/SHA-384", "PBKDF2/SHA-512"]) registry.set(alg, pbkdf2);
  for (const alg of ["SHA-256", "SHA-384", "SHA-512"]) registry.set(alg, sha);
}
