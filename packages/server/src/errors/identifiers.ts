import { ConflictError, NotFoundError, ValidationError } from "./classes.js";
import { conflictOn, defineErrors, entry } from "./define.js";

type IdentifierNoun = "email address" | "phone number";

/** Emails and phones: the primary/verified rules are the same for both kinds, so are most codes. */
export const identifiersErrors = defineErrors({
  email_not_found: entry(NotFoundError, (userId: string, emailId: string) => `User '${userId}' has no email address '${emailId}'.`),
  phone_number_not_found: entry(NotFoundError, (userId: string, phoneId: string) => `User '${userId}' has no phone number '${phoneId}'.`),
  email_taken: entry(ConflictError, (field: string = "email_address") => conflictOn(field, "That email address is already in use by another user.")),
  phone_number_taken: entry(ConflictError, (field: string = "phone_number") => conflictOn(field, "That phone number is already in use by another user.")),
  primary_must_be_verified: entry(ValidationError, (noun: IdentifierNoun) => {
    const message = `A primary ${noun} must be verified.`;
    return { message, details: { is_primary: message } };
  }),
  primary_must_stay_verified: entry(ConflictError, (noun: IdentifierNoun) =>
    conflictOn("verified", `The primary ${noun} must stay verified: make another primary first.`),
  ),
  primary_required: entry(ConflictError, (noun: IdentifierNoun) =>
    conflictOn("is_primary", `A verified ${noun} of a user stays primary while it is the only one.`),
  ),
  primary_email_required: entry(ConflictError, () => "This is the user's primary email address and the user has another one: make another primary first."),
  primary_phone_number_required: entry(
    ConflictError,
    () => "This is the user's primary phone number and the user has another one: make another primary first.",
  ),
  // A changed value is unproven, and so unverified; the primary cannot become unverified in passing.
  primary_value_needs_verified: entry(ValidationError, (noun: IdentifierNoun, field: "email" | "phone_number") => {
    const message = `Changing the primary ${noun} makes it unverified, and a primary must be verified: send verified: true with the new value, or make another ${noun} primary first.`;
    return { message, details: { [field]: message } };
  }),
  /** Emails, phones and social connections alike: `noun` in the plural ("email addresses"). */
  per_user_limit_reached: entry(ValidationError, (field: string, pluralNoun: string, limit: number) => {
    const message = `A user has at most ${limit} ${pluralNoun}.`;
    return { message, details: { [field]: `at most ${limit} ${pluralNoun} per user` } };
  }),
  concurrent_primary_change: entry(ConflictError, (field: string = "is_primary") =>
    conflictOn(field, "Another request changed this user's primary identifier at the same time; retry."),
  ),
});
