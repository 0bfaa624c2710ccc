/** JSON-safe values: what a payload processor produces and what sinks receive. */
export type JsonPrimitive = string | number | boolean | null;
/** A JSON-safe value. Numbers are finite. */
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
/** A JSON-safe object. */
export interface JsonObject {
  [key: string]: JsonValue;
}
