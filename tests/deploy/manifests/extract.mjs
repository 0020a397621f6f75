// node extract.mjs FILE KIND NAME KEY: prints data[KEY] of the object
// KIND/NAME in the rendered FILE (for runtime.sh).
import fs from "node:fs";
import YAML from "yaml";

const [file, kind, name, key] = process.argv.slice(2);
const obj = YAML.parseAllDocuments(fs.readFileSync(file, "utf8")).map((d) => d.toJS())
  .find((o) => o && o.kind === kind && o.metadata?.name === name);
if (!obj || typeof obj.data?.[key] !== "string") {
  console.error(`extract: no ${kind}/${name} with data.${key} in ${file}`);
  process.exit(1);
}
process.stdout.write(obj.data[key]);
