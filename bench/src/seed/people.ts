/**
 * The people every target is seeded with, generated from their index so the three databases hold
 * the same set and the load generator can name any of them (an email, a search term) without
 * keeping a list in memory.
 */
const FIRST_NAMES = [
  "Anna",
  "Ben",
  "Chloe",
  "David",
  "Elena",
  "Felix",
  "Grace",
  "Hugo",
  "Iris",
  "Jonas",
  "Karin",
  "Liam",
  "Maya",
  "Noah",
  "Olga",
  "Pablo",
  "Quinn",
  "Rosa",
  "Samir",
  "Tara",
  "Umar",
  "Vera",
  "Wen",
  "Xavier",
  "Yara",
  "Zoe",
  "Aiko",
  "Bruno",
  "Carmen",
  "Dmitri",
  "Emeka",
  "Fatima",
  "Gustav",
  "Hana",
  "Ivan",
  "Julia",
  "Kofi",
  "Lena",
  "Marco",
  "Nadia",
  "Oscar",
] as const;

const LAST_NAMES = [
  "Smith",
  "Garcia",
  "Müller",
  "Rossi",
  "Kowalski",
  "Nguyen",
  "Tanaka",
  "Okafor",
  "Silva",
  "Dubois",
  "Jensen",
  "Novak",
  "Haddad",
  "Ivanova",
  "Kim",
  "Larsen",
  "Moreau",
  "Nakamura",
  "Oliveira",
  "Petrov",
  "Quispe",
  "Romero",
  "Schmidt",
  "Takahashi",
  "Ueda",
  "Varga",
  "Weber",
  "Xu",
  "Yilmaz",
  "Zhang",
  "Andersen",
  "Becker",
  "Costa",
] as const;

export interface Person {
  firstName: string;
  lastName: string;
  username: string;
  email: string;
}

export function personAt(index: number): Person {
  const firstName = FIRST_NAMES[index % FIRST_NAMES.length]!;
  const lastName = LAST_NAMES[Math.floor(index / FIRST_NAMES.length) % LAST_NAMES.length]!;
  return {
    firstName,
    lastName,
    username: `${firstName.toLowerCase()}_${index}`,
    email: `${firstName}.${asciiOf(lastName)}.${index}@example.com`.toLowerCase(),
  };
}

/**
 * A search term that only this person's email contains ("kim.4821@"): the index ends at the "@",
 * so 4821 does not also find 48210. Ends up as a substring of exactly one user's search text.
 */
export function searchTermFor(index: number): string {
  const { lastName } = personAt(index);
  return `${asciiOf(lastName).toLowerCase()}.${index}@`;
}

function asciiOf(text: string): string {
  return text.normalize("NFKD").replace(/[^\x20-\x7e]/g, "");
}

/** Seeded users were created one second apart, ending now: time-ordered ids, realistic sort keys. */
export function createdAtOf(index: number, userCount: number, endMs: number): number {
  return endMs - (userCount - index) * 1000;
}
