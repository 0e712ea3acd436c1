/**
 * Column helpers for TypeORM EntitySchema definitions. EntitySchema (not decorators) keeps the
 * entities working under tsx/esbuild, which emit no decorator metadata. Database columns are
 * snake_case; properties are camelCase, as in the GraphQL schema.
 */
import { DataSource, EntitySchema, EntitySchemaColumnOptions } from 'typeorm';

export const primaryId = (): EntitySchemaColumnOptions => ({ type: 'uuid', primary: true });

export const uuid = (name: string, nullable = false): EntitySchemaColumnOptions => ({
  type: 'uuid',
  name,
  nullable,
});

export const text = (name: string, nullable = false): EntitySchemaColumnOptions => ({
  type: 'text',
  name,
  nullable,
});

export const textArray = (name: string): EntitySchemaColumnOptions => ({
  type: 'text',
  array: true,
  name,
  nullable: false,
});

export const date = (name: string, nullable = false): EntitySchemaColumnOptions => ({
  type: 'date',
  name,
  nullable,
});

export const timestamp = (name: string, nullable = false): EntitySchemaColumnOptions => ({
  type: 'timestamptz',
  name,
  nullable,
});

export const integer = (name: string, nullable = false): EntitySchemaColumnOptions => ({
  type: 'integer',
  name,
  nullable,
});

export const boolean = (name: string): EntitySchemaColumnOptions => ({
  type: 'boolean',
  name,
  nullable: false,
});

export const createdAt = (): EntitySchemaColumnOptions => ({
  type: 'timestamptz',
  name: 'created_at',
  createDate: true,
});

/** `"db_column" AS "property", ...` for an entity: raw SQL that returns rows shaped like the entity. */
export function selectColumns(db: DataSource, entity: EntitySchema<any>): string {
  return db
    .getMetadata(entity)
    .columns.map((c) => `"${c.databaseName}" AS "${c.propertyName}"`)
    .join(', ');
}
