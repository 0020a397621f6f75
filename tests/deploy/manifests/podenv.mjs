// node podenv.mjs FILE STATEFULSET [--grace|--probe-port|--scrape-port]:
// prints the environment the first container of STATEFULSET gets in the
// rendered FILE (its envFrom ConfigMaps in order, then env values), one
// KEY=VALUE per line, for runtime.sh; with --grace its
// terminationGracePeriodSeconds (default 30), with --probe-port the port
// its readinessProbe asks (a port name resolved on the container), with
// --scrape-port its prometheus.io/port annotation. Fails on a reference
// it cannot resolve.
import fs from "node:fs";
import YAML from "yaml";

const [file, name] = process.argv.slice(2);
const objs = YAML.parseAllDocuments(fs.readFileSync(file, "utf8")).map((d) => d.toJS()).filter(Boolean);
const find = (kind, n) => objs.find((o) => o.kind === kind && o.metadata?.name === n);
const sts = find("StatefulSet", name);
if (!sts) {
  console.error(`podenv: no StatefulSet/${name} in ${file}`);
  process.exit(1);
}
const container = sts.spec.template.spec.containers[0];
if (process.argv[4] === "--grace") {
  console.log(sts.spec.template.spec.terminationGracePeriodSeconds ?? 30);
  process.exit(0);
}
if (process.argv[4] === "--probe-port") {
  const probe = container.readinessProbe || {};
  let port = probe.grpc?.port ?? probe.httpGet?.port ?? probe.tcpSocket?.port;
  if (typeof port === "string") port = (container.ports || []).find((p) => p.name === port)?.containerPort;
  if (port === undefined) {
    console.error(`podenv: ${name}: no readinessProbe port`);
    process.exit(1);
  }
  console.log(port);
  process.exit(0);
}
if (process.argv[4] === "--scrape-port") {
  console.log(sts.spec.template.metadata?.annotations?.["prometheus.io/port"] ?? "");
  process.exit(0);
}
const env = new Map();
for (const from of container.envFrom || []) {
  const cm = from.configMapRef && find("ConfigMap", from.configMapRef.name);
  if (!cm) {
    console.error(`podenv: ${name}: envFrom ${JSON.stringify(from)} does not resolve`);
    process.exit(1);
  }
  for (const [k, v] of Object.entries(cm.data || {})) env.set(`${from.prefix || ""}${k}`, v);
}
for (const e of container.env || []) {
  if (e.value === undefined) {
    console.error(`podenv: ${name}: env ${e.name} is not a plain value`);
    process.exit(1);
  }
  env.set(e.name, e.value);
}
for (const [k, v] of env) {
  if (/[\n=]/.test(k) || v.includes("\n")) {
    console.error(`podenv: ${name}: ${k} cannot be passed on one line`);
    process.exit(1);
  }
  console.log(`${k}=${v}`);
}
