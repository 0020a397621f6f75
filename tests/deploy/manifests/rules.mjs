// The project's rules for deploy/k8s (issue 15), checked on one rendered
// overlay: a list of objects. Each rule returns its problems (strings);
// none means it holds.

const WORKLOAD_KINDS = new Set(["StatefulSet", "Deployment", "DaemonSet", "ReplicaSet", "Job"]);
const CLUSTER_KINDS = new Set(["Namespace", "ClusterRole", "ClusterRoleBinding", "GatewayClass",
  "CustomResourceDefinition", "PersistentVolume", "StorageClass", "PriorityClass"]);
const ALL_LABELS = ["name", "instance", "component", "part-of", "version", "managed-by"]
  .map((l) => `app.kubernetes.io/${l}`);
const EVERY_OBJECT_LABELS = ["part-of", "version", "managed-by"].map((l) => `app.kubernetes.io/${l}`);
// Pod Security "restricted": the volume types it allows.
const RESTRICTED_VOLUMES = new Set(["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
  "persistentVolumeClaim", "projected", "secret"]);
// Worst-case shutdown (docs/operations.md section 6): a deadline-job run up
// to the 10 s SQLite busy timeout, 10 s drain, ~1 s health and /metrics
// servers, 2 s relay flush, 2 s Redis timeout: about 25 s. The grace
// period must be above that with a margin of 10 s.
const WORST_SHUTDOWN_SECONDS = 25;
const GRACE_MARGIN_SECONDS = 10;

const id = (o) => `${o.kind}/${o.metadata?.name}`;
const workloads = (objs) => objs.filter((o) => WORKLOAD_KINDS.has(o.kind));
const podSpec = (w) => w.spec?.template?.spec || {};
const containersOf = (w) => [...(podSpec(w).initContainers || []), ...(podSpec(w).containers || [])];
const isEnamndService = (w) => w.spec?.template?.metadata?.labels?.["app.kubernetes.io/component"] === "service";

// Does a LabelSelector select these labels? (matchLabels and matchExpressions)
export function selects(selector, labels = {}) {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels || {})) {
    if (labels[k] !== v) return false;
  }
  for (const e of selector.matchExpressions || []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const ok = {
      In: has && (e.values || []).includes(labels[e.key]),
      NotIn: !has || !(e.values || []).includes(labels[e.key]),
      Exists: has,
      DoesNotExist: !has,
    }[e.operator];
    if (!ok) return false;
  }
  return true;
}

function ruleNamespace(objs) {
  const namespaces = objs.filter((o) => o.kind === "Namespace");
  if (namespaces.length !== 1) return [`want exactly one Namespace, found ${namespaces.length}`];
  const ns = namespaces[0];
  const problems = [];
  if (ns.metadata.labels?.["pod-security.kubernetes.io/enforce"] !== "restricted") {
    problems.push(`Namespace ${ns.metadata.name} lacks pod-security.kubernetes.io/enforce: restricted`);
  }
  for (const o of objs) {
    if (!CLUSTER_KINDS.has(o.kind) && o.metadata?.namespace !== ns.metadata.name) {
      problems.push(`${id(o)} is in namespace ${o.metadata?.namespace}, not ${ns.metadata.name}`);
    }
  }
  return problems;
}

const isDefaultDeny = (p) => p.kind === "NetworkPolicy" &&
  Object.keys(p.spec?.podSelector || {}).length === 0 &&
  ["Ingress", "Egress"].every((t) => (p.spec?.policyTypes || []).includes(t)) &&
  !(p.spec?.ingress || []).length && !(p.spec?.egress || []).length;

function ruleDefaultDeny(objs) {
  return objs.some(isDefaultDeny) ? [] : ["no default-deny NetworkPolicy (podSelector {}, Ingress and Egress, no rules)"];
}

// Every workload is selected by a NetworkPolicy that allows it something
// (beyond the default deny), ingress included.
function ruleNetworkPolicies(objs) {
  const policies = objs.filter((o) => o.kind === "NetworkPolicy" && !isDefaultDeny(o));
  const problems = [];
  for (const w of workloads(objs)) {
    const labels = w.spec?.template?.metadata?.labels;
    const mine = policies.filter((p) => selects(p.spec?.podSelector, labels));
    if (!mine.some((p) => (p.spec?.ingress || []).length)) {
      problems.push(`${id(w)}: no NetworkPolicy allows it any ingress`);
    }
    if (!mine.length) problems.push(`${id(w)}: no NetworkPolicy selects it`);
  }
  return problems;
}

function probeProblems(w, c) {
  const problems = [];
  for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"]) {
    if (!c[probe]) problems.push(`${id(w)} container ${c.name}: no ${probe}`);
  }
  if (!isEnamndService(w)) return problems;
  const health = (c.ports || []).find((p) => p.name === "health");
  if (!health) return [...problems, `${id(w)} container ${c.name}: no container port named health`];
  for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"]) {
    if (c[probe] && c[probe].grpc?.port !== health.containerPort) {
      problems.push(`${id(w)} container ${c.name}: ${probe} is not a gRPC probe on the health port ${health.containerPort}`);
    }
  }
  return problems;
}

function ruleProbes(objs) {
  return workloads(objs).flatMap((w) => (podSpec(w).containers || []).flatMap((c) => probeProblems(w, c)));
}

function ruleResources(objs) {
  const problems = [];
  for (const w of workloads(objs)) {
    for (const c of containersOf(w)) {
      for (const kind of ["requests", "limits"]) {
        for (const r of ["cpu", "memory"]) {
          if (c.resources?.[kind]?.[r] === undefined) problems.push(`${id(w)} container ${c.name}: no ${kind}.${r}`);
        }
      }
    }
  }
  return problems;
}

function containerSecurityProblems(w, c) {
  const pod = podSpec(w).securityContext || {};
  const sc = c.securityContext || {};
  const where = `${id(w)} container ${c.name}`;
  const problems = [];
  if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) problems.push(`${where}: runAsNonRoot is not true`);
  if ((sc.runAsUser ?? pod.runAsUser) === 0 || (sc.runAsUser ?? pod.runAsUser) === undefined) {
    problems.push(`${where}: runAsUser is unset or 0`);
  }
  if (sc.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation is not false`);
  if (sc.readOnlyRootFilesystem !== true) problems.push(`${where}: readOnlyRootFilesystem is not true`);
  if (sc.privileged === true) problems.push(`${where}: privileged`);
  if (!(sc.capabilities?.drop || []).includes("ALL")) problems.push(`${where}: capabilities do not drop ALL`);
  if ((sc.capabilities?.add || []).some((a) => a !== "NET_BIND_SERVICE")) problems.push(`${where}: adds capabilities`);
  const seccomp = (sc.seccompProfile ?? pod.seccompProfile)?.type;
  if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") problems.push(`${where}: seccompProfile is not RuntimeDefault`);
  if ((c.ports || []).some((p) => p.hostPort)) problems.push(`${where}: hostPort`);
  return problems;
}

// Pod Security "restricted" plus readOnlyRootFilesystem and fsGroup.
function ruleSecurityContext(objs) {
  const problems = [];
  for (const w of workloads(objs)) {
    const spec = podSpec(w);
    for (const host of ["hostNetwork", "hostPID", "hostIPC"]) {
      if (spec[host]) problems.push(`${id(w)}: ${host}`);
    }
    for (const v of spec.volumes || []) {
      const type = Object.keys(v).find((k) => k !== "name");
      if (!RESTRICTED_VOLUMES.has(type)) problems.push(`${id(w)}: volume ${v.name} of type ${type}`);
    }
    if (w.spec?.volumeClaimTemplates?.length && spec.securityContext?.fsGroup === undefined) {
      problems.push(`${id(w)}: volumes but no fsGroup`);
    }
    for (const c of containersOf(w)) problems.push(...containerSecurityProblems(w, c));
  }
  return problems;
}

// A tag that is not latest, or a digest.
export function imageProblem(image) {
  if (!image) return "no image";
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return null;
  const last = image.split("/").pop();
  if (!last.includes(":")) return `${image} has no tag`;
  if (last.split(":").pop() === "latest") return `${image} uses :latest`;
  return null;
}

function ruleImages(objs) {
  return workloads(objs).flatMap((w) => containersOf(w).map((c) => {
    const p = imageProblem(c.image);
    return p && `${id(w)} container ${c.name}: ${p}`;
  }).filter(Boolean));
}

function ruleServiceAccounts(objs) {
  const accounts = new Map(objs.filter((o) => o.kind === "ServiceAccount").map((a) => [a.metadata.name, a]));
  const problems = [];
  for (const w of workloads(objs)) {
    const spec = podSpec(w);
    const account = accounts.get(spec.serviceAccountName);
    if (!account) problems.push(`${id(w)}: serviceAccountName ${spec.serviceAccountName} is not a ServiceAccount here`);
    if (spec.automountServiceAccountToken !== false) problems.push(`${id(w)}: automountServiceAccountToken is not false`);
    if (account && account.automountServiceAccountToken !== false) {
      problems.push(`ServiceAccount/${account.metadata.name}: automountServiceAccountToken is not false`);
    }
  }
  return problems;
}

// A workload's version label is the release its image runs: the image tag
// or the tag's leading part (redis:7.0.15-bookworm is 7.0.15). Not
// checked for an image pinned by digest alone.
function versionProblems(w) {
  const image = (podSpec(w).containers || [])[0]?.image || "";
  const last = image.split("@")[0].split("/").pop();
  if (!last.includes(":")) return [];
  const tag = last.split(":").pop();
  const problems = [];
  for (const [where, labels] of [["", w.metadata?.labels], [" pod template", w.spec?.template?.metadata?.labels]]) {
    const version = labels?.["app.kubernetes.io/version"];
    if (version && tag !== version && !tag.startsWith(`${version}-`)) {
      problems.push(`${id(w)}${where}: app.kubernetes.io/version ${version}, but it runs ${image}`);
    }
  }
  return problems;
}

function ruleLabels(objs) {
  const problems = [];
  const missing = (labels, want) => want.filter((l) => !(labels || {})[l]);
  for (const o of objs) {
    const want = WORKLOAD_KINDS.has(o.kind) ? ALL_LABELS : EVERY_OBJECT_LABELS;
    for (const l of missing(o.metadata?.labels, want)) problems.push(`${id(o)}: no label ${l}`);
    if (!WORKLOAD_KINDS.has(o.kind)) continue;
    for (const l of missing(o.spec?.template?.metadata?.labels, ALL_LABELS)) problems.push(`${id(o)} pod template: no label ${l}`);
    problems.push(...versionProblems(o));
    for (const t of o.spec?.volumeClaimTemplates || []) {
      // Immutable on a StatefulSet: a per-release label there breaks the next apply.
      if (t.metadata?.labels?.["app.kubernetes.io/version"]) {
        problems.push(`${id(o)}: volumeClaimTemplate ${t.metadata.name} carries app.kubernetes.io/version`);
      }
    }
  }
  return problems;
}

// One replica with its own volume (SQLite, single writer), a grace period
// above the drain, a headless and a ClusterIP Service with grpc and metrics.
function ruleServices(objs) {
  const problems = [];
  const services = objs.filter((o) => o.kind === "Service");
  for (const w of workloads(objs).filter(isEnamndService)) {
    const labels = w.spec.template.metadata.labels;
    if (w.kind !== "StatefulSet" || w.spec.replicas !== 1) problems.push(`${id(w)}: not a StatefulSet with replicas 1`);
    if (!(w.spec.volumeClaimTemplates || []).length) problems.push(`${id(w)}: no volumeClaimTemplates`);
    const grace = podSpec(w).terminationGracePeriodSeconds ?? 30;
    if (grace < WORST_SHUTDOWN_SECONDS + GRACE_MARGIN_SECONDS) {
      problems.push(`${id(w)}: terminationGracePeriodSeconds ${grace} is below the worst-case shutdown ` +
        `${WORST_SHUTDOWN_SECONDS} s plus ${GRACE_MARGIN_SECONDS} s`);
    }
    const mine = services.filter((s) => s.spec?.selector && selects({ matchLabels: s.spec.selector }, labels));
    const headless = mine.find((s) => s.metadata.name === w.spec.serviceName && s.spec.clusterIP === "None");
    if (!headless) problems.push(`${id(w)}: serviceName ${w.spec.serviceName} is not a headless Service selecting it`);
    const clusterIp = mine.find((s) => s.spec.clusterIP !== "None" &&
      ["grpc", "metrics"].every((n) => (s.spec.ports || []).some((p) => p.name === n)));
    if (!clusterIp) problems.push(`${id(w)}: no ClusterIP Service with ports grpc and metrics`);
  }
  return problems;
}

// A budget per workload that does not block node drains for good.
function ruleDisruptionBudgets(objs) {
  const budgets = objs.filter((o) => o.kind === "PodDisruptionBudget");
  const problems = [];
  for (const w of workloads(objs)) {
    const mine = budgets.filter((b) => selects(b.spec?.selector, w.spec?.template?.metadata?.labels));
    if (mine.length !== 1) problems.push(`${id(w)}: ${mine.length} PodDisruptionBudgets, want 1`);
    for (const b of mine) {
      if (b.spec.minAvailable !== undefined && Number(b.spec.minAvailable) >= (w.spec.replicas ?? 1)) {
        problems.push(`${id(b)}: minAvailable ${b.spec.minAvailable} blocks every drain of ${id(w)}`);
      }
    }
  }
  return problems;
}

// Paths in a container's settings (ENAMND_TLS_CERT, ...) lie on one of its
// mounts, and on a file the mount provides when it lists its items.
function pathProblems(w, c, configMaps) {
  const volumes = new Map((podSpec(w).volumes || []).map((v) => [v.name, v]));
  const problems = [];
  for (const from of c.envFrom || []) {
    for (const [k, v] of Object.entries(configMaps.get(from.configMapRef?.name)?.data || {})) {
      if (!v.startsWith("/")) continue;
      const mount = (c.volumeMounts || []).find((m) => v === m.mountPath || v.startsWith(`${m.mountPath.replace(/\/$/, "")}/`));
      if (!mount) {
        problems.push(`${id(w)} container ${c.name}: ${k}=${v} is on no volume mount`);
        continue;
      }
      const vol = volumes.get(mount.name);
      const items = (vol?.secret || vol?.configMap)?.items;
      const file = v.slice(mount.mountPath.length).replace(/^\//, "");
      if (items && file && !items.some((i) => i.path === file)) {
        problems.push(`${id(w)} container ${c.name}: ${k}=${v}: volume ${mount.name} has no item ${file}`);
      }
    }
  }
  return problems;
}

// ConfigMaps in envFrom and volumes exist; ENAMND_*_ADDR name a Service port.
function ruleReferences(objs) {
  const configMaps = new Map(objs.filter((o) => o.kind === "ConfigMap").map((c) => [c.metadata.name, c]));
  const problems = [];
  for (const w of workloads(objs)) {
    const names = [...containersOf(w).flatMap((c) => (c.envFrom || []).map((e) => e.configMapRef?.name)),
      ...(podSpec(w).volumes || []).map((v) => v.configMap?.name)].filter(Boolean);
    for (const n of names) if (!configMaps.has(n)) problems.push(`${id(w)}: ConfigMap ${n} is not here`);
    for (const c of containersOf(w)) problems.push(...pathProblems(w, c, configMaps));
  }
  const ports = new Set(objs.filter((o) => o.kind === "Service")
    .flatMap((s) => (s.spec.ports || []).map((p) => `${s.metadata.name}:${p.port}`)));
  for (const c of configMaps.values()) {
    for (const [k, v] of Object.entries(c.data || {})) {
      if (/^ENAMND_[A-Z]+_ADDR$/.test(k) && !ports.has(v)) problems.push(`ConfigMap/${c.metadata.name}: ${k}=${v} is not a Service port here`);
    }
  }
  return problems;
}

// The environment a container gets, as the kubelet builds it: its envFrom
// ConfigMaps in order (with their prefix), then env (plain values and
// configMapKeyRef). Values it cannot resolve here are left out.
export function containerEnv(objs, c) {
  const configMaps = new Map(objs.filter((o) => o.kind === "ConfigMap").map((m) => [m.metadata.name, m]));
  const env = new Map();
  for (const from of c.envFrom || []) {
    for (const [k, v] of Object.entries(configMaps.get(from.configMapRef?.name)?.data || {})) {
      env.set(`${from.prefix || ""}${k}`, v);
    }
  }
  for (const e of c.env || []) {
    const ref = e.valueFrom?.configMapKeyRef;
    const v = e.value ?? (ref && configMaps.get(ref.name)?.data?.[ref.key]);
    if (v !== undefined) env.set(e.name, v);
  }
  return env;
}

// The port of a listen address: "0.0.0.0:50051", "[::]:50051", ":50051".
export function listenPort(address) {
  const m = /:(\d+)$/.exec(address || "");
  return m ? Number(m[1]) : undefined;
}

const LISTEN_PORTS = { grpc: "ENAMND_LISTEN", metrics: "ENAMND_METRICS_LISTEN", health: "ENAMND_HEALTH_LISTEN" };

// A probe's port as a number (a port name resolved on the container).
function probePort(c, probe) {
  const port = probe?.grpc?.port ?? probe?.httpGet?.port ?? probe?.tcpSocket?.port;
  if (typeof port === "string") return (c.ports || []).find((p) => p.name === port)?.containerPort;
  return port;
}

function listenProblems(objs, w, c) {
  const where = `${id(w)} container ${c.name}`;
  const env = containerEnv(objs, c);
  const problems = [];
  const named = new Map((c.ports || []).map((p) => [p.name, p.containerPort]));
  for (const [name, key] of Object.entries(LISTEN_PORTS)) {
    const want = listenPort(env.get(key));
    if (want === undefined) problems.push(`${where}: ${key} is not set to host:port (${env.get(key)})`);
    else if (named.get(name) !== want) problems.push(`${where}: port ${name} is ${named.get(name)}, ${key}=${env.get(key)}`);
  }
  const annotation = w.spec.template.metadata?.annotations?.["prometheus.io/port"];
  const metrics = listenPort(env.get(LISTEN_PORTS.metrics));
  if (String(annotation) !== String(metrics)) {
    problems.push(`${id(w)}: annotation prometheus.io/port is ${annotation}, ENAMND_METRICS_LISTEN=${env.get(LISTEN_PORTS.metrics)}`);
  }
  for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"]) {
    const port = probePort(c, c[probe]);
    if (c[probe] && port !== named.get("health")) problems.push(`${where}: ${probe} on port ${port}, not the health port`);
  }
  return problems;
}

// Every Service port's targetPort is a port (by name, or by number) of a
// container of the pods it selects.
function targetPortProblems(objs) {
  const problems = [];
  for (const s of objs.filter((o) => o.kind === "Service" && o.spec?.selector)) {
    const pods = workloads(objs).filter((w) => selects({ matchLabels: s.spec.selector }, w.spec?.template?.metadata?.labels));
    if (!pods.length) problems.push(`${id(s)}: selects no workload here`);
    const ports = pods.flatMap((w) => containersOf(w).flatMap((c) => c.ports || []));
    for (const p of s.spec.ports || []) {
      const target = p.targetPort ?? p.port;
      const found = typeof target === "string" ? ports.some((c) => c.name === target) : ports.some((c) => c.containerPort === target);
      if (pods.length && !found) problems.push(`${id(s)} port ${p.name}: targetPort ${target} is no container port of its pods`);
    }
  }
  return problems;
}

// Outside the cluster only the mTLS gRPC ports: a LoadBalancer or NodePort
// Service targets nothing but `grpc` (not /metrics, not the plaintext health
// port, not Redis).
function exposedProblems(objs) {
  return objs.filter((o) => o.kind === "Service" && ["LoadBalancer", "NodePort"].includes(o.spec?.type))
    .flatMap((s) => (s.spec.ports || []).filter((p) => p.targetPort !== "grpc")
      .map((p) => `${id(s)} (${s.spec.type}) port ${p.name}: targetPort ${p.targetPort ?? p.port}, only grpc may leave the cluster`));
}

// The ports the manifests name (container ports grpc, metrics, health, the
// Prometheus annotation, the probes, the Services' targets) are the ones
// the service listens on (ENAMND_LISTEN, ENAMND_METRICS_LISTEN,
// ENAMND_HEALTH_LISTEN as the pod gets them).
function rulePorts(objs) {
  const problems = workloads(objs).filter(isEnamndService)
    .flatMap((w) => (podSpec(w).containers || []).slice(0, 1).flatMap((c) => listenProblems(objs, w, c)));
  return [...problems, ...targetPortProblems(objs), ...exposedProblems(objs)];
}

// Redis bytes per stream entry assumed for sizing: a 4 KB event (events are
// 0.4-3 KB) costs about 5.2 KB in Redis 7.0 (measured; runtime.sh measures
// it again on the Redis of the ConfigMap).
export const BYTES_PER_ENTRY = 5300;

function redisMaxmemory(objs) {
  const conf = objs.find((o) => o.kind === "ConfigMap" && o.metadata?.name === "enamnd-redis-config")?.data?.["redis.conf"];
  const m = /^maxmemory\s+(\d+)(mb|gb|kb)?\s*$/im.exec(conf || "");
  if (!m) return undefined;
  return Number(m[1]) * ({ kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[(m[2] || "").toLowerCase()] || 1);
}

// Every service bounds its stream (ENAMND_STREAM_MAXLEN > 0): with
// noeviction an unbounded stream fills Redis and XADD is refused for good.
// With the in-cluster Redis, the five streams at that length fit in three
// quarters of maxmemory.
function ruleStreamBound(objs) {
  const problems = [];
  let total = 0;
  for (const w of workloads(objs).filter(isEnamndService)) {
    const c = (podSpec(w).containers || [])[0] || {};
    const maxlen = Number(containerEnv(objs, c).get("ENAMND_STREAM_MAXLEN") ?? 0);
    if (!(maxlen > 0)) problems.push(`${id(w)}: ENAMND_STREAM_MAXLEN unset or 0 (the stream grows until Redis refuses XADD)`);
    total += maxlen * BYTES_PER_ENTRY;
  }
  const maxmemory = redisMaxmemory(objs);
  if (maxmemory !== undefined && total > 0.75 * maxmemory) {
    problems.push(`the streams at ENAMND_STREAM_MAXLEN take ~${Math.round(total / 2 ** 20)} MiB, above 3/4 of maxmemory ${Math.round(maxmemory / 2 ** 20)} MiB`);
  }
  return problems;
}

export const RULES = {
  "namespace restricted, every object in it": ruleNamespace,
  "default-deny NetworkPolicy": ruleDefaultDeny,
  "a NetworkPolicy selects every workload": ruleNetworkPolicies,
  "startup, liveness and readiness probes": ruleProbes,
  "requests and limits": ruleResources,
  "restricted securityContext": ruleSecurityContext,
  "images tagged, not latest": ruleImages,
  "ServiceAccount token not mounted": ruleServiceAccounts,
  "app.kubernetes.io labels": ruleLabels,
  "services: single writer, Services, grace period": ruleServices,
  "PodDisruptionBudget decision": ruleDisruptionBudgets,
  "references resolve": ruleReferences,
  "ports agree with the listen settings; only grpc leaves the cluster": rulePorts,
  "Redis streams bounded within maxmemory": ruleStreamBound,
};
