// After htmx has changed the address (a filtered list), the language switch returns to the
// address as it is now, not as the page was first served.
document.addEventListener("submit", function (event) {
  var next = event.target.querySelector("input[data-current-url]");
  if (next) next.value = window.location.pathname + window.location.search;
});

// Signing out forgets what the purchase form kept for offline use (the form and the point's
// sellers with their phones; sourcing/sw.js). Purchases still waiting to upload stay on the
// phone, for the same user to send after signing in again.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!window.caches || form.dataset.forgotten || !/\/logout\/$/.test(form.getAttribute("action") || "")) return;
  event.preventDefault();
  form.dataset.forgotten = "1";
  caches.keys()
    .then(function (names) {
      return Promise.all(names.filter(function (n) { return n.indexOf("daodi-offline-pages-") === 0; })
        .map(function (n) { return caches.delete(n); }));
    })
    .catch(function () {})
    .then(function () { form.submit(); });
});
