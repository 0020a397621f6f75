// Schema validation of rendered Kubernetes objects, offline: the JSON
// schema validators that kubernetes-models and @kubernetes-models/gateway-api
// ship (compiled from the Kubernetes OpenAPI and the Gateway API CRDs), plus
// a strict unknown-field check.
//
// The compiled validators do not reject fields the schema does not name
// (Kubernetes' OpenAPI sets no additionalProperties: false), so a typo such
// as `periodSecond` would pass them. The strict check watches the validator
// through a Proxy: a compiled validator reads every property its schema
// declares (`data.periodSeconds !== undefined`) and enumerates the keys of
// maps (labels, ConfigMap data, resource quantities). A key of an object
// that the validator neither read nor enumerated is not in the schema:
// the API server's strict field validation would refuse it.

const MODEL_PACKAGES = [
  // [apiVersion pattern, module path prefix]
  [/^v1$/, (v, k) => `kubernetes-models/v1/${k}`],
  [/^gateway\.networking\.k8s\.io\//, (v, k) => `@kubernetes-models/gateway-api/${v}/${k}`],
  [/\//, (v, k) => `kubernetes-models/${v}/${k}`],
];

const modelCache = new Map();

// The model class of apiVersion/kind, or null when no package has it.
export async function modelFor(apiVersion, kind) {
  const key = `${apiVersion}/${kind}`;
  if (modelCache.has(key)) return modelCache.get(key);
  let model = null;
  const entry = MODEL_PACKAGES.find(([pattern]) => pattern.test(apiVersion || ""));
  if (entry && /^[A-Za-z0-9]+$/.test(kind || "")) {
    try {
      const mod = await import(entry[1](apiVersion, kind));
      model = mod[kind] || null;
    } catch (e) {
      if (e.code !== "ERR_MODULE_NOT_FOUND" && e.code !== "ERR_PACKAGE_PATH_NOT_EXPORTED") throw e;
    }
  }
  modelCache.set(key, model);
  return model;
}

// A Proxy over value that records, per object, which keys were read and
// whether its keys were enumerated. records collects one entry per object.
function watched(value, path, records) {
  if (value === null || typeof value !== "object") return value;
  const record = { path, value, read: new Set(), enumerated: false };
  records.push(record);
  const children = new Map();
  return new Proxy(value, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver);
      if (typeof key !== "string") return v;
      record.read.add(key);
      if (v === null || typeof v !== "object") return v;
      if (!children.has(key)) children.set(key, watched(v, `${path}/${key}`, records));
      return children.get(key);
    },
    has(target, key) {
      if (typeof key === "string") record.read.add(key);
      return Reflect.has(target, key);
    },
    ownKeys(target) {
      record.enumerated = true;
      return Reflect.ownKeys(target);
    },
  });
}

// Fields of obj that its schema does not declare, as paths.
function unknownFields(records) {
  const unknown = [];
  for (const r of records) {
    if (Array.isArray(r.value) || r.enumerated) continue;
    for (const key of Object.keys(r.value)) {
      if (!r.read.has(key)) unknown.push(`${r.path}/${key}`);
    }
  }
  return unknown;
}

// Problems of one object (strings); empty when it is valid.
export async function schemaProblems(obj) {
  const model = await modelFor(obj.apiVersion, obj.kind);
  if (!model) return [`no schema for ${obj.apiVersion} ${obj.kind} in the pinned packages`];
  const records = [];
  const problems = [];
  try {
    model.prototype.validate.call(watched(obj, "", records));
  } catch (e) {
    problems.push(...String(e.message).split("\n").filter((l) => l.trim()));
  }
  for (const path of unknownFields(records)) {
    problems.push(`unknown field ${path || "/"}`);
  }
  return problems;
}
