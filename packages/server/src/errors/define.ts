import type { ErrorDescription, FieldErrors, WachtError } from "./classes.js";

type ErrorClass<D extends ErrorDescription> = (new (code: string, description: D) => WachtError) & { statusCode: number };

interface ErrorEntry<C extends ErrorClass<any>, A extends unknown[]> {
  errorClass: C;
  describe: (...args: A) => ConstructorParameters<C>[1];
}

/** One catalogue line: the class (hence the status) and how the message is made from the arguments. */
export function entry<C extends ErrorClass<any>, A extends unknown[]>(
  errorClass: C,
  describe: (...args: A) => ConstructorParameters<C>[1] | string,
): ErrorEntry<C, A> {
  return {
    errorClass,
    describe: (...args: A) => {
      const described = describe(...args);
      return typeof described === "string" ? { message: described } : described;
    },
  };
}

/** Makes an error of the code it is called through: `errors.user_not_found(userId)`. */
export type ErrorFactory<C extends ErrorClass<any>, A extends unknown[]> = ((...args: A) => InstanceType<C>) & {
  readonly code: string;
  readonly statusCode: number;
  readonly errorClass: C;
};

type Factories<T extends Record<string, ErrorEntry<any, any>>> = {
  readonly [K in keyof T]: T[K] extends ErrorEntry<infer C, infer A> ? ErrorFactory<C, A> : never;
};

// Every code defined so far: a second definition of one is a mistake to stop at once, not an override.
const definedCodes = new Set<string>();

/** A block of the catalogue: each key is the code, spelled here and nowhere else. */
export function defineErrors<T extends Record<string, ErrorEntry<any, any>>>(entries: T): Factories<T> {
  const factories: Record<string, unknown> = {};
  for (const [code, { errorClass, describe }] of Object.entries(entries)) {
    if (definedCodes.has(code)) throw new Error(`The error code '${code}' is defined twice in the catalogue (errors/*.ts); define each code once.`);
    definedCodes.add(code);
    const create = (...args: unknown[]) => new errorClass(code, describe(...args));
    factories[code] = Object.assign(create, { code, statusCode: errorClass.statusCode, errorClass });
  }
  return factories as Factories<T>;
}

/** A 400 (or 413, 409) naming each bad field and its rule: "field: rule; other: rule". */
export function fieldErrors(details: FieldErrors, message?: string): ErrorDescription {
  const joined = Object.entries(details)
    .map(([field, rule]) => `${field}: ${rule}`)
    .join("; ");
  return { message: message ?? (joined || "The request is invalid."), details };
}

/** The usual shape of a 409: the message, and the field whose value is taken under the same message. */
export function conflictOn(field: string | undefined, message: string): ErrorDescription {
  return field ? { message, details: { [field]: message } } : { message };
}
