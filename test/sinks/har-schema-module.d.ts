/** har-schema ships JSON Schemas without typings: one schema object per HAR 1.2 object. */
declare module 'har-schema' {
  const schemas: Record<string, object>;
  export = schemas;
}
