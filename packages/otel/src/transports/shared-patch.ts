/**
 * A patch of Node's shared prototypes, applied once however many times
 * costctl installs it, and undone when the last of those installs is.
 *
 * @example
 * export const watchResponses = sharedPatch(patchPush);
 * const restore = watchResponses(); // patched
 * restore(); // undone, if no other install holds it
 */
export function sharedPatch(patch: () => () => void): () => () => void {
  let users = 0;
  let unpatch: (() => void) | undefined;
  return () => {
    if (users++ === 0) unpatch = patch();
    let restored = false;
    return () => {
      if (restored) return;
      restored = true;
      if (--users === 0) unpatch?.();
    };
  };
}
