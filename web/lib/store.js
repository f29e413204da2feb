// The page's whole state in one object. set() merges a patch and tells the
// listeners whose keys it touched; every view renders from the state alone.

export function createStore(initial) {
  let state = initial;
  const listeners = [];
  return {
    get state() {
      return state;
    },
    set(patch) {
      state = { ...state, ...patch };
      for (const { keys, fn } of listeners) {
        if (keys.some((k) => k in patch)) fn(state);
      }
    },
    on(keys, fn) {
      listeners.push({ keys, fn });
    },
  };
}
