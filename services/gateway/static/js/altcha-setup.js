// Registers the ALTCHA proof-of-work workers served by the gateway (the strict-CSP widget build has none bundled).
// Loaded as a module right after /static/altcha/altcha.min.js, before any widget starts solving.
const base = new URL("../altcha/workers/", import.meta.url);
const pbkdf2 = () => new Worker(new URL("pbkdf2.js", base));
const sha = () => new Worker(new URL("sha.js", base));
const registry = globalThis.$altcha && globalThis.$altcha.algorithms;
if (registry) {
  for (const alg of ["PBKDF2/SHA-256", "PBKDF2/SHA-384", "PBKDF2/SHA-512"]) registry.set(alg, pbkdf2);
  for (const alg of ["SHA-256", "SHA-384", "SHA-512"]) registry.set(alg, sha);
}
