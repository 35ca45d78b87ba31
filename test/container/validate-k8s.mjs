// Validates Kubernetes manifests against the Kubernetes API's JSON schema (OpenAPI definitions
// compiled by the kubernetes-models package). An ES module, run as a child process by
// manifests.test.ts: kubernetes-models ships only ESM, which jest's CommonJS runtime cannot load.
// Usage: node validate-k8s.mjs FILE...   prints [{ file, kind, name, errors: [] | [message] }]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import process from 'node:process';
import * as core from 'kubernetes-models/v1';

const yaml = createRequire(import.meta.url)('js-yaml');
const results = [];
for (const file of process.argv.slice(2)) {
  for (const doc of yaml.loadAll(readFileSync(file, 'utf8')).filter(Boolean)) {
    const Model = doc.apiVersion === 'v1' ? core[doc.kind] : undefined;
    const result = { file, kind: doc.kind, name: doc.metadata?.name, errors: [] };
    if (!Model) result.errors.push(`no schema for ${doc.apiVersion} ${doc.kind}`);
    else {
      try {
        new Model(doc).validate();
      } catch (err) {
        result.errors.push(String(err.message));
      }
    }
    results.push(result);
  }
}
process.stdout.write(JSON.stringify(results));
