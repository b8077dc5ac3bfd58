// The phone's queue of purchases waiting to be uploaded: one IndexedDB store keyed by the
// purchase's client key. Loaded by the purchase form page (offline.js) and by the service
// worker (sw.js), which both add to it.
(function (scope) {
  "use strict";
  function store(mode, work) {
    return new Promise(function (resolve, reject) {
      var open = indexedDB.open("daodi-offline", 1);
      open.onupgradeneeded = function () { open.result.createObjectStore("purchases", { keyPath: "key" }); };
      open.onerror = function () { reject(open.error); };
      open.onsuccess = function () {
        var tx = open.result.transaction("purchases", mode);
        var request = work(tx.objectStore("purchases"));
        tx.oncomplete = function () { open.result.close(); resolve(request && request.result); };
        tx.onerror = function () { open.result.close(); reject(tx.error); };
      };
    });
  }
  scope.daodiQueue = {
    items: function () { return store("readonly", function (s) { return s.getAll(); }); },
    save: function (item) { return store("readwrite", function (s) { return s.put(item); }); },
    forget: function (key) { return store("readwrite", function (s) { return s.delete(key); }); },
  };
})(self);
