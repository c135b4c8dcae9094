// Avro's named types (record, error, enum, fixed) are defined once and then referenced by name, within a namespace
// (the spec's "Names"). A reader that takes a reference for a type of its own reads the value wrongly: a decimal inside
// a referenced record as a Buffer's JSON. So references are replaced by the definitions they name, before anything reads
// the schema; a recursive type refers to itself.
import type { Schema } from 'avsc';

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
const NAMED = new Set(['record', 'error', 'enum', 'fixed']);

interface SchemaObject {
  type: Schema;
  name?: string;
  namespace?: string;
  fields?: { name: string; type: Schema }[];
  items?: Schema;
  values?: Schema;
  /** The name with its namespace, as avsc names a union's branch: set on every named type here. */
  fullName?: string;
}

/** The spec's fullname: a name with a dot is one already; else the namespace's, if any. */
const fullNameOf = (name: string, namespace: string | undefined) => (name.includes('.') || !namespace ? name : `${namespace}.${name}`);
const namespaceOf = (fullName: string) => (fullName.includes('.') ? fullName.slice(0, fullName.lastIndexOf('.')) : undefined);

/** The schema with every reference to a named type replaced by its definition (each named type given `fullName`). */
export function resolveNames(schema: Schema): Schema {
  const named = new Map<string, SchemaObject>();
  const lookUp = (name: string, namespace: string | undefined): Schema => {
    const found = named.get(fullNameOf(name, namespace)) ?? named.get(name);
    if (!found) throw new Error(`the schema refers to a type it does not define: ${name}`);
    return found as Schema;
  };
  const walk = (s: Schema, namespace: string | undefined): Schema => {
    if (typeof s === 'string') return PRIMITIVES.has(s) ? s : lookUp(s, namespace);
    if (Array.isArray(s)) return s.map((member) => walk(member, namespace)) as Schema;
    const o = s as unknown as SchemaObject;
    if (typeof o.type !== 'string') return walk(o.type, namespace);
    if (NAMED.has(o.type) && o.name !== undefined) {
      const fullName = fullNameOf(o.name, o.namespace ?? namespace);
      // Registered before its fields are walked: a field of the type's own type refers to this very object.
      const copy: SchemaObject = { ...o, fullName };
      named.set(fullName, copy);
      if (o.fields) copy.fields = o.fields.map((f) => ({ ...f, type: walk(f.type, namespaceOf(fullName)) }));
      return copy as Schema;
    }
    if (o.type === 'array') return { ...o, items: walk(o.items!, namespace) } as Schema;
    if (o.type === 'map') return { ...o, values: walk(o.values!, namespace) } as Schema;
    return PRIMITIVES.has(o.type) ? s : lookUp(o.type, namespace);
  };
  return walk(schema, undefined);
}
