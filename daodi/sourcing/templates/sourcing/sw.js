// The buying network's service worker: keeps the purchase form usable without a connection.
// Served by sourcing.views.service_worker from /sourcing/sw.js, registered for the whole
// site (its scope, "{{ scope|escapejs }}") by the purchase form page only.
// VERSION is a digest of this script as served: a change to it (or to the URLs below)
// installs a new worker, which drops the caches of the old one.
"use strict";
const VERSION = "{{ version }}";
const PAGES = "daodi-offline-pages-" + VERSION; // the form page and the lists JSON
const STATIC = "daodi-offline-static-" + VERSION; // CSS, JS and icons the form loads
const FORM_URL = "{{ form_url|escapejs }}";
const DATA_URL = "{{ data_url|escapejs }}";
const PICK_URL = "{{ pick_url|escapejs }}"; // the seller picker (JSON results)
const STATIC_URL = "{{ static_url|escapejs }}";
importScripts("{{ store_js|escapejs }}"); // daodiQueue: the queue the form page shows

self.addEventListener("install", (event) => {
  event.waitUntil(keepPages().catch(() => {}));
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((n) => n.startsWith("daodi-offline-") && n !== PAGES && n !== STATIC)
          .map((n) => caches.delete(n)),
      ))
      .then(() => self.clients.claim()),
  );
});

// The form page names the assets it loaded (whatever other scripts it gained); keep them.
self.addEventListener("message", (event) => {
  if (!event.data || event.data.type !== "cache") return;
  const urls = event.data.urls || [];
  event.waitUntil(
    Promise.all([
      keepPages(),
      caches.open(STATIC).then((c) => c.addAll(urls.filter((u) => isStatic(new URL(u, self.location))))),
    ])
      .then(() => reply(event, { type: "cached" }))
      .catch(() => reply(event, { type: "cache-failed" })),
  );
});

// The form and the lists as this user gets them now; a redirect (signed out: the sign-in
// page) is not kept in their place.
function keepPages() {
  return caches.open(PAGES).then((cache) => Promise.all([FORM_URL, DATA_URL].map((url) =>
    fetch(url, { credentials: "same-origin" }).then((response) => {
      if (!response.ok || response.redirected) throw new Error("not signed in");
      return cache.put(url, response);
    }))));
}

function reply(event, message) {
  if (event.source) event.source.postMessage(message);
}

function isStatic(url) {
  return url.origin === self.location.origin && url.pathname.startsWith(STATIC_URL);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && request.mode === "navigate" && url.pathname === FORM_URL) {
    event.respondWith(sendOrKeep(request));
  }
  // Other writes go to the network as they are (the page queues what it sends itself).
  if (request.method !== "GET") return;
  if (isStatic(url)) {
    event.respondWith(cacheFirst(request));
  } else if (url.pathname === FORM_URL || url.pathname === DATA_URL) {
    event.respondWith(networkFirst(request, url.pathname));
  } else if (url.pathname === PICK_URL) {
    event.respondWith(fetch(request).catch(() => sellersOffline(url)));
  } else if (request.mode === "navigate") {
    // Any other page while offline (the home page the phone opens on): to the purchase
    // form, which works there.
    event.respondWith(fetch(request).catch(() => Response.redirect(FORM_URL, 302)));
  }
});

// A purchase sent while the phone believes it is online, but the network fails on the way
// (a weak signal): kept in the queue, instead of lost to the browser's error page, and the
// form shown again. If the server did record it, the upload later gets the same purchase
// back for the same client key.
async function sendOrKeep(request) {
  const copy = request.clone();
  try {
    return await fetch(request);
  } catch (failed) {
    const fields = [];
    (await copy.formData()).forEach((value, name) => {
      if (typeof value === "string" && name !== "csrfmiddlewaretoken") fields.push([name, value]);
    });
    const key = fields.find((f) => f[0] === "client_key");
    if (!key) throw failed;
    const cached = await caches.match(DATA_URL, { cacheName: PAGES });
    const data = cached ? await cached.json() : {};
    const made = fields.find((f) => f[0] === "bought_at");
    if (made && !made[1]) made[1] = new Date().toISOString();
    await self.daodiQueue.save({
      key: key[1], user: data.user, fields: fields, summary: summaryOf(fields, data),
      state: "pending", at: Date.now(),
    });
    return Response.redirect(FORM_URL + "?kept=1", 303);
  }
}

// What the queue lists of a purchase, named from the kept lists.
function summaryOf(fields, data) {
  const value = (name) => (fields.find((f) => f[0] === name) || [])[1] || "";
  const named = (list, id) => ((data[list] || []).find((x) => String(x.id) === id) || {}).text || "";
  const kg = (parseFloat(value("gross_kg")) || 0) - (parseFloat(value("tare_kg")) || 0);
  return {
    // The seller picker sends the chosen id as seller__id and the name as seller.
    seller: named("sellers", value("seller__id") || value("seller")) || value("seller"),
    herb: named("herbs", value("herb")),
    grade: named("grades", value("grade")), kg: kg.toFixed(2), price: value("price"),
    unit: named("price_units", value("price_unit")),
  };
}

// Assets: the kept copy at once, refreshed behind it (in production their names carry a
// digest of their content, so a changed file is a new address anyway).
async function cacheFirst(request) {
  const cache = await caches.open(STATIC);
  const cached = await cache.match(request);
  const fresh = fetch(request).then((response) => {
    if (response.ok) cache.put(request, response.clone());
    return response;
  });
  if (!cached) return fresh;
  fresh.catch(() => {});
  return cached;
}

// The form and the lists are always fetched fresh when there is a connection (a new
// household appears at once); the copy kept is the last one the server sent this user.
// A redirect (to the sign-in page) is passed on and never kept in place of the form.
async function networkFirst(request, key) {
  try {
    const response = await fetch(request);
    if (response.ok && response.type === "basic" && !response.redirected) {
      (await caches.open(PAGES)).put(key, response.clone());
    }
    return response;
  } catch (offline) {
    const cached = await caches.match(key, { cacheName: PAGES });
    if (cached) return cached;
    throw offline;
  }
}

// The pickers of the purchase form while offline, from the kept lists: its sellers (the
// same matches the server makes: name, phone, code, the ID card's last four characters)
// and its buying points; no other list is kept on the phone.
async function sellersOffline(url) {
  const cached = await caches.match(DATA_URL, { cacheName: PAGES });
  const data = cached ? await cached.json() : {};
  const q = (url.searchParams.get("q") || "").trim().toLowerCase();
  const list = { seller: data.sellers, point: data.points }[url.searchParams.get("purpose")];
  if (!list) return Response.error();
  const results = list.filter((s) => matches(s, q)).slice(0, 20)
    .map((s) => ({ id: s.id, text: s.text, hint: s.hint || "" }));
  return new Response(JSON.stringify({ results: results, offline: true }), {
    headers: { "Content-Type": "application/json" },
  });
}

function matches(seller, q) {
  if (!q) return true;
  if (seller.text.toLowerCase().includes(q) || (seller.phone || "").includes(q)) return true;
  if ((seller.code || "").toLowerCase() === q) return true;
  const tail = q.slice(-4);
  return q.length >= 4 && /^[0-9x]{4}$/.test(tail) && (seller.id_card || "").toLowerCase().endsWith(tail);
}
