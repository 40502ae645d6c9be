/**
 * Whether two byte strings are equal, in time that depends only on their length: a comparison
 * that stops at the first difference would tell an attacker how much of a forged MAC is right.
 */
export function constantTimeEqual(left: Uint8Array, right: Uint8Array): boolean {
  if (left.length !== right.length) return false;
  let difference = 0;
  for (let index = 0; index < left.length; index++) difference |= left[index]! ^ right[index]!;
  return difference === 0;
}
