// Validates rendered kustomize overlays of deploy/k8s offline (no cluster):
// every object against the pinned Kubernetes / Gateway API schemas with a
// strict unknown-field check (schema.mjs), and the project's rules
// (rules.mjs). Then it breaks copies of the first rendering on purpose and
// checks that each break is caught, so the checks are shown to fail.
//
//   node check.mjs [--results=FILE] NAME=FILE [NAME=FILE...]
//
// NAME=FILE: the output of `kubectl kustomize`. --results: lines
// "ok|FAIL<TAB>NAME<TAB>WHY" of checks run outside (runtime.sh), counted here. Ends with "N passed, M failed";
// exit 1 when anything failed. Run through tools/check-manifests.

import fs from "node:fs";
import YAML from "yaml";
import { schemaProblems } from "./schema.mjs";
import { RULES } from "./rules.mjs";
import { MUTATIONS } from "./mutations.mjs";

const results = { passed: 0, failed: 0, skipped: 0 };

function report(ok, name, problems = []) {
  if (ok) results.passed++;
  else results.failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${name}`);
  for (const p of ok ? [] : problems.slice(0, 20)) console.log(`       ${p}`);
  if (!ok && problems.length > 20) console.log(`       ... ${problems.length - 20} more`);
}

function parse(file) {
  const docs = YAML.parseAllDocuments(fs.readFileSync(file, "utf8"), { uniqueKeys: true });
  const errors = docs.flatMap((d) => d.errors.map((e) => `${file}: ${e.message}`));
  if (errors.length) throw new Error(errors.join("\n"));
  return docs.map((d) => d.toJS()).filter((o) => o !== null);
}

// Problems per check name: "schema <Kind/name>" and each rule.
async function allProblems(objs) {
  const out = new Map();
  for (const o of objs) {
    out.set(`schema ${o.kind}/${o.metadata?.name}`, await schemaProblems(o));
  }
  for (const [name, rule] of Object.entries(RULES)) out.set(name, rule(objs));
  return out;
}

async function checkRendering(name, objs) {
  if (!objs.length) return report(false, `${name}: rendered objects`, ["nothing rendered"]);
  const problems = await allProblems(objs);
  let schemaOk = 0;
  for (const [check, found] of problems) {
    const isSchema = check.startsWith("schema ");
    if (isSchema && !found.length) {
      results.passed++;
      schemaOk++;
      continue;
    }
    report(!found.length, `${name}: ${check}`, found);
  }
  console.log(`ok   ${name}: ${schemaOk} of ${objs.length} objects valid against their schema (strict fields)`);
}

// Each mutation breaks a copy; the check it names must then report a
// problem that the unbroken rendering does not have.
async function checkMutations(name, objs) {
  const before = await allProblems(objs);
  for (const m of MUTATIONS) {
    const applied = m.apply(structuredClone(objs));
    const fresh = applied ? [...(await allProblems(applied)).entries()]
      .filter(([check]) => m.caughtBy(check))
      .flatMap(([check, found]) => found.filter((p) => !(before.get(check) || []).includes(p))) : [];
    report(fresh.length > 0, `${name}: broken copy is caught: ${m.name}`,
      applied ? ["the expected check reported no new problem"] : ["mutation found nothing to break"]);
  }
}

function countOutsideResults(file) {
  for (const line of fs.readFileSync(file, "utf8").split("\n").filter(Boolean)) {
    const [status, name, why] = line.split("\t");
    if (status === "skip") {
      results.skipped++;
      console.log(`skip ${name}: ${why}`);
      continue;
    }
    report(status === "ok", name, why ? [why] : []);
  }
}

async function main() {
  let args = process.argv.slice(2);
  const outside = args.filter((a) => a.startsWith("--results=")).map((a) => a.slice("--results=".length));
  args = args.filter((a) => !a.startsWith("--results="));
  if (!args.length || args.some((a) => !a.includes("="))) {
    console.error("usage: node check.mjs NAME=FILE [NAME=FILE...]");
    process.exit(2);
  }
  const renderings = args.map((a) => [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]);
  for (const [name, file] of renderings) {
    let objs;
    try {
      objs = parse(file);
    } catch (e) {
      report(false, `${name}: parse ${file}`, [e.message]);
      continue;
    }
    await checkRendering(name, objs);
    if (name === renderings[0][0]) await checkMutations(name, objs);
  }
  for (const file of outside) countOutsideResults(file);
  const skipped = results.skipped ? `, ${results.skipped} skipped` : "";
  console.log(`${results.passed} passed, ${results.failed} failed${skipped}`);
  process.exit(results.failed ? 1 : 0);
}

await main();
