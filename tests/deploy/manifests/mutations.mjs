// Deliberate breaks of a rendered overlay, each of which the checks must
// catch: apply(objs) changes the copy it is given and returns it (null when
// there is nothing to break), caughtBy(check) names the check that must fail.

const find = (objs, kind, name) => objs.find((o) => o.kind === kind && (!name || o.metadata.name === name));
const service = (objs) => find(objs, "StatefulSet", "enamnd-meetings");
const container = (objs) => service(objs)?.spec.template.spec.containers[0];
const schema = (kind) => (check) => check.startsWith(`schema ${kind}/`);
const rule = (prefix) => (check) => check.startsWith(prefix);

function edit(fn) {
  return (objs) => {
    try {
      return fn(objs) === false ? null : objs;
    } catch (e) {
      if (e instanceof TypeError) return null; // the object to break is missing
      throw e;
    }
  };
}

export const MUTATIONS = [
  {
    name: "probe field typo periodSecond (unknown field)",
    apply: edit((o) => {
      const p = container(o).livenessProbe;
      p.periodSecond = p.periodSeconds;
      delete p.periodSeconds;
    }),
    caughtBy: schema("StatefulSet"),
  },
  {
    name: "probe port as a string (type error)",
    apply: edit((o) => { container(o).readinessProbe.grpc.port = "health"; }),
    caughtBy: schema("StatefulSet"),
  },
  {
    name: "unknown field in a TLSRoute rule",
    apply: edit((o) => { find(o, "TLSRoute").spec.rules[0].backend = "enamnd-meetings"; }),
    caughtBy: schema("TLSRoute"),
  },
  {
    name: "image :latest",
    apply: edit((o) => { container(o).image = "registry.example.org/enamnd/enamnd-meetings:latest"; }),
    caughtBy: rule("images"),
  },
  {
    name: "image without a tag",
    apply: edit((o) => { container(o).image = "registry.example.org:5000/enamnd/enamnd-meetings"; }),
    caughtBy: rule("images"),
  },
  {
    name: "no readinessProbe",
    apply: edit((o) => { delete container(o).readinessProbe; }),
    caughtBy: rule("startup, liveness"),
  },
  {
    name: "probe on the mTLS gRPC port instead of health",
    apply: edit((o) => { container(o).startupProbe.grpc.port = 50051; }),
    caughtBy: rule("startup, liveness"),
  },
  {
    name: "no memory limit",
    apply: edit((o) => { delete container(o).resources.limits.memory; }),
    caughtBy: rule("requests and limits"),
  },
  {
    name: "allowPrivilegeEscalation true",
    apply: edit((o) => { container(o).securityContext.allowPrivilegeEscalation = true; }),
    caughtBy: rule("restricted securityContext"),
  },
  {
    name: "runAsNonRoot dropped",
    apply: edit((o) => {
      delete container(o).securityContext.runAsNonRoot;
      delete service(o).spec.template.spec.securityContext.runAsNonRoot;
    }),
    caughtBy: rule("restricted securityContext"),
  },
  {
    name: "writable root filesystem",
    apply: edit((o) => { container(o).securityContext.readOnlyRootFilesystem = false; }),
    caughtBy: rule("restricted securityContext"),
  },
  {
    name: "a hostPath volume",
    apply: edit((o) => { service(o).spec.template.spec.volumes.push({ name: "host", hostPath: { path: "/" } }); }),
    caughtBy: rule("restricted securityContext"),
  },
  {
    name: "no default-deny NetworkPolicy",
    apply: edit((o) => o.splice(o.indexOf(find(o, "NetworkPolicy", "default-deny-all")), 1)),
    caughtBy: rule("default-deny"),
  },
  {
    name: "Redis's NetworkPolicy removed",
    apply: edit((o) => o.splice(o.indexOf(find(o, "NetworkPolicy", "enamnd-redis")), 1)),
    caughtBy: rule("a NetworkPolicy selects"),
  },
  {
    name: "namespace not labelled restricted",
    apply: edit((o) => { find(o, "Namespace").metadata.labels["pod-security.kubernetes.io/enforce"] = "baseline"; }),
    caughtBy: rule("namespace restricted"),
  },
  {
    name: "ServiceAccount token mounted",
    apply: edit((o) => { find(o, "ServiceAccount", "enamnd-meetings").automountServiceAccountToken = true; }),
    caughtBy: rule("ServiceAccount token"),
  },
  {
    name: "two replicas of a single-writer service",
    apply: edit((o) => { service(o).spec.replicas = 2; }),
    caughtBy: rule("services: single writer"),
  },
  {
    name: "grace period 30 s (below the ~25 s worst-case shutdown plus margin)",
    apply: edit((o) => { service(o).spec.template.spec.terminationGracePeriodSeconds = 30; }),
    caughtBy: rule("services: single writer"),
  },
  {
    name: "version label on a volumeClaimTemplate",
    apply: edit((o) => { service(o).spec.volumeClaimTemplates[0].metadata.labels = { "app.kubernetes.io/version": "2" }; }),
    caughtBy: rule("app.kubernetes.io labels"),
  },
  {
    name: "PodDisruptionBudget minAvailable 1 (blocks drains)",
    apply: edit((o) => {
      const b = find(o, "PodDisruptionBudget", "enamnd-meetings");
      delete b.spec.maxUnavailable;
      b.spec.minAvailable = 1;
    }),
    caughtBy: rule("PodDisruptionBudget"),
  },
  {
    name: "ENAMND_MEETINGS_ADDR on a port no Service has",
    apply: edit((o) => { find(o, "ConfigMap", "enamnd-common").data.ENAMND_MEETINGS_ADDR = "enamnd-meetings:50061"; }),
    caughtBy: rule("references resolve"),
  },
  {
    name: "ENAMND_REDIS_PASSWORD_FILE on a file the Secret volume does not hold",
    apply: edit((o) => { find(o, "ConfigMap", "enamnd-common").data.ENAMND_REDIS_PASSWORD_FILE = "/etc/enamnd/redis/meetings.password"; }),
    caughtBy: rule("references resolve"),
  },
  {
    name: "ENAMND_DATA_DIR on no volume",
    apply: edit((o) => { find(o, "ConfigMap", "enamnd-common").data.ENAMND_DATA_DIR = "/var/lib/enamnd"; }),
    caughtBy: rule("references resolve"),
  },
  {
    name: "ENAMND_HEALTH_LISTEN moved, the container port health not",
    apply: edit((o) => { find(o, "ConfigMap", "enamnd-meetings").data.ENAMND_HEALTH_LISTEN = "0.0.0.0:52061"; }),
    caughtBy: rule("ports agree"),
  },
  {
    name: "container port grpc drifts from ENAMND_LISTEN",
    apply: edit((o) => { container(o).ports.find((p) => p.name === "grpc").containerPort = 50061; }),
    caughtBy: rule("ports agree"),
  },
  {
    name: "prometheus.io/port not the metrics port",
    apply: edit((o) => { service(o).spec.template.metadata.annotations["prometheus.io/port"] = "50051"; }),
    caughtBy: rule("ports agree"),
  },
  {
    name: "Service targetPort names no container port",
    apply: edit((o) => { find(o, "Service", "enamnd-meetings").spec.ports[0].targetPort = "grcp"; }),
    caughtBy: rule("ports agree"),
  },
  {
    name: "Redis labelled with enamnd's version",
    apply: edit((o) => { find(o, "StatefulSet", "enamnd-redis").spec.template.metadata.labels["app.kubernetes.io/version"] = "1.0.0"; }),
    caughtBy: rule("app.kubernetes.io labels"),
  },
  {
    name: "ENAMND_STREAM_MAXLEN unset (Redis fills up)",
    apply: edit((o) => { delete find(o, "ConfigMap", "enamnd-common").data.ENAMND_STREAM_MAXLEN; }),
    caughtBy: rule("Redis streams bounded"),
  },
  {
    name: "ENAMND_STREAM_MAXLEN too long for maxmemory",
    apply: edit((o) => { find(o, "ConfigMap", "enamnd-common").data.ENAMND_STREAM_MAXLEN = "100000"; }),
    caughtBy: rule("Redis streams bounded"),
  },
  {
    name: "a LoadBalancer Service exposing /metrics",
    apply: edit((o) => { find(o, "Service", "enamnd-meetings").spec.type = "LoadBalancer"; }),
    caughtBy: rule("ports agree"),
  },
];
