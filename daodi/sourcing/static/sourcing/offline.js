// Purchases at a village point without a connection.
//
// The purchase form registers the service worker (/sourcing/sw.js), which keeps the form,
// its assets and the point's lists. A purchase made while offline is not sent: it is kept
// in IndexedDB with its client key and listed as 待上传. When the connection returns (the
// `online` event, or the next time the form opens) each one is sent with the ordinary form
// POST. The server records a client key once, so a purchase sent twice (the answer lost on
// the way back) is recorded once; the list then shows 已上传 and a link to its receipt.
(function () {
  "use strict";
  var panel = document.querySelector("[data-offline-queue]");
  var form = document.querySelector("form[data-offline-form]");
  if (!panel || !form || !window.indexedDB || !window.daodiQueue) return;
  var T = panel.dataset; // translated texts: T.tPending, T.tSent, …
  var user = panel.dataset.user;
  var keyField = form.elements.client_key;
  var uploading = false;

  var items = daodiQueue.items, save = daodiQueue.save, forget = daodiQueue.forget; // offline-store.js

  // --- client keys ------------------------------------------------------------------------------
  // The page kept by the service worker carries the key it was served with; once that key
  // has been sent or queued, this page needs a new one, or the next purchase would be taken
  // for the last one sent again.
  function newKey() {
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }
  function usedKeys() {
    try { return JSON.parse(localStorage.getItem("daodi-used-keys")) || []; } catch (e) { return []; }
  }
  function markUsed(key) {
    var kept = usedKeys().filter(function (k) { return k !== key; });
    localStorage.setItem("daodi-used-keys", JSON.stringify([key].concat(kept).slice(0, 200)));
  }
  if (usedKeys().indexOf(keyField.value) >= 0) keyField.value = newKey();

  // The seller list as served: the search replaces its options, and a cleared form must not
  // offer the last seller found as the next one's.
  var sellers = form.elements.seller && form.elements.seller.tagName === "SELECT" ? form.elements.seller : null;
  var servedSellers = sellers ? sellers.innerHTML : "";

  // --- recording ---------------------------------------------------------------------------------
  form.addEventListener("submit", function (event) {
    markUsed(keyField.value);
    if (navigator.onLine) {
      forget(keyField.value); // a queued purchase corrected and now sent the ordinary way
      return;
    }
    event.preventDefault();
    if (!form.reportValidity()) return;
    if (form.elements.bought_at) form.elements.bought_at.value = new Date().toISOString();
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string" && name !== "csrfmiddlewaretoken") fields.push([name, value]);
    });
    var item = { key: keyField.value, user: user, fields: fields, summary: summary(), state: "pending", at: Date.now() };
    save(item).then(function () {
      form.reset();
      if (sellers) { sellers.innerHTML = servedSellers; sellers.value = ""; }
      keyField.value = newKey();
      var search = document.getElementById("seller-search");
      if (search) search.value = "";
      status(T.tQueued);
      return render().then(function () { panel.scrollIntoView({ block: "start" }); });
    });
  });

  // What the list shows of a purchase: the names as the form showed them.
  function summary() {
    function shown(name) {
      var field = form.elements[name];
      if (!field) return "";
      if (field.selectedOptions) { // a <select>: its chosen option's text, none for "---------"
        var chosen = field.selectedOptions[0];
        return chosen && chosen.value ? chosen.text : "";
      }
      return field.value; // a search picker's text box holds the chosen name
    }
    var gross = parseFloat(form.elements.gross_kg.value) || 0;
    var tare = parseFloat((form.elements.tare_kg || {}).value) || 0;
    return {
      seller: shown("seller"), herb: shown("herb"), grade: shown("grade"),
      kg: (gross - tare).toFixed(2), price: form.elements.price.value, unit: shown("price_unit"),
    };
  }

  // --- uploading ---------------------------------------------------------------------------------
  function upload() {
    if (uploading || !navigator.onLine) return Promise.resolve();
    uploading = true;
    status(T.tUploading);
    // One tab uploads at a time (the server would record each key once anyway).
    var run = function () {
      return items().then(function (all) {
        var mine = all.filter(function (i) { return i.user === user && i.state === "pending"; });
        return mine.reduce(function (chain, item) {
          return chain.then(function (go) { return go ? send(item) : false; });
        }, Promise.resolve(true));
      });
    };
    var done = navigator.locks ? navigator.locks.request("daodi-offline-upload", run) : run();
    return done.catch(function () {}).then(function () {
      uploading = false;
      return render();
    }).then(function (waiting) {
      // Say what is left: purchases still waiting (unless a reason was given already).
      var text = panel.querySelector("[data-offline-status]").textContent;
      if (text === T.tUploading) status(waiting ? T.tQueued : "");
    });
  }

  // Send one purchase; true to go on with the next, false to stop (offline, signed out).
  function send(item) {
    var body = new URLSearchParams(item.fields);
    body.set("csrfmiddlewaretoken", csrfToken());
    return fetch(panel.dataset.formUrl, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        return response.text().then(function (html) { return answer(item, response, html); });
      })
      .catch(function () { return false; }); // the answer did not arrive: sent again later
  }

  function answer(item, response, html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var receipt = page.querySelector("[data-testid=receipt]");
    if (response.ok && receipt) { // the purchase's own page: recorded (now or before)
      item.state = "sent";
      item.receipt = receipt.getAttribute("href");
      item.page = response.url;
      var heading = page.querySelector("h1");
      item.number = heading ? heading.textContent.trim() : "";
      return save(item).then(function () { markUsed(item.key); return true; });
    }
    if (page.querySelector("[name=client_key]")) { // the form again, with the server's reasons
      item.state = "failed";
      item.errors = reasons(page);
      // A purchase outside the herb's plausible ranges is asked to be confirmed: offer the
      // form's own confirm button, which sends it again as confirmed.
      var confirm = page.querySelector("button[name=confirm]");
      item.confirm = confirm ? [confirm.textContent.trim(), confirm.value] : null;
      return save(item).then(function () { return true; });
    }
    if (page.querySelector("#id_username")) status(T.tSignIn);
    return false; // signed out or a server error: try again later
  }

  function reasons(page) {
    var found = [];
    page.querySelectorAll("[data-testid=form-errors] div").forEach(function (e) { found.push(e.textContent.trim()); });
    page.querySelectorAll(".invalid-feedback").forEach(function (e) {
      var label = e.parentElement.querySelector("label");
      found.push((label ? label.textContent.replace("*", "").trim() + "：" : "") + e.textContent.trim());
    });
    return found;
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : form.elements.csrfmiddlewaretoken.value;
  }

  // --- correcting a purchase the server refused: back into the form, same key ------------------
  function correct(item) {
    form.reset();
    item.fields.forEach(function (pair) {
      var field = form.elements[pair[0]];
      if (!field) return;
      if (field.type === "checkbox") field.checked = true;
      else field.value = pair[1];
    });
    form.scrollIntoView({ block: "start" });
  }

  function confirmAndSend(item) {
    item.fields = item.fields.filter(function (f) { return f[0] !== "confirm"; }).concat([["confirm", item.confirm[1]]]);
    item.state = "pending";
    item.errors = item.confirm = null;
    save(item).then(upload);
  }

  // --- the list ------------------------------------------------------------------------------------
  function status(text) { panel.querySelector("[data-offline-status]").textContent = text || ""; }

  function render() {
    return items().then(function (all) {
      var mine = all.filter(function (i) { return i.user === user; });
      mine.sort(function (a, b) { return (a.state === "sent") - (b.state === "sent") || b.at - a.at; });
      var list = panel.querySelector("[data-offline-list]");
      list.replaceChildren.apply(list, mine.map(row));
      var count = panel.querySelector("[data-testid=pending-count]");
      count.textContent = mine.filter(function (i) { return i.state !== "sent"; }).length;
      count.className = "badge " + (count.textContent === "0" ? "text-bg-success" : "text-bg-warning");
      panel.hidden = mine.length === 0;
      return mine.filter(function (i) { return i.state === "pending"; }).length;
    });
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  function row(item) {
    var s = item.summary;
    var li = el("li", { "class": "list-group-item px-0", "data-testid": "queued", "data-state": item.state, "data-key": item.key });
    var top = el("div", { "class": "d-flex justify-content-between gap-2" });
    top.append(el("strong", {}, s.seller || "—"));
    var badge = { pending: ["text-bg-warning", T.tPending], sent: ["text-bg-success", T.tSent], failed: ["text-bg-danger", T.tFailed] }[item.state];
    if (item.state === "failed" && item.confirm) badge = ["text-bg-warning", T.tCheck];
    top.append(el("span", { "class": "badge " + badge[0], "data-testid": "queued-state" }, badge[1]));
    li.append(top);
    var time = new Date(item.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    li.append(el("div", { "class": "small text-body-secondary" },
      [s.grade || s.herb, s.kg + " kg", s.price + " " + s.unit, time].join(" · ")));
    if (item.state === "sent") {
      var line = el("div", { "class": "small" });
      line.append(el("a", { href: item.receipt, target: "_blank", "data-testid": "queued-receipt" }, T.tReceipt));
      line.append(" ", el("a", { href: item.page, "class": "link-secondary" }, item.number));
      li.append(line);
    } else if (item.state === "failed") {
      (item.errors || []).forEach(function (e) { li.append(el("div", { "class": "small text-danger" }, e)); });
      if (item.confirm) {
        var yes = el("button", { type: "button", "class": "btn btn-sm btn-warning me-2 mt-1", "data-testid": "queued-confirm" }, item.confirm[0]);
        yes.addEventListener("click", function () { confirmAndSend(item); });
        li.append(yes);
      }
      var fix = el("button", { type: "button", "class": "btn btn-sm btn-outline-primary me-2 mt-1" }, T.tCorrect);
      fix.addEventListener("click", function () { correct(item); });
      var drop = el("button", { type: "button", "class": "btn btn-sm btn-outline-danger mt-1" }, T.tRemove);
      drop.addEventListener("click", function () { forget(item.key).then(render); });
      li.append(fix, drop);
    }
    return li;
  }

  // Uploaded purchases stay listed (with their receipts) for two days.
  function tidy() {
    var old = Date.now() - 2 * 24 * 3600 * 1000;
    return items().then(function (all) {
      return Promise.all(all.filter(function (i) { return i.state === "sent" && i.at < old; })
        .map(function (i) { return forget(i.key); }));
    });
  }

  // --- connection and service worker ------------------------------------------------------------
  function connection() {
    document.querySelector("[data-offline-banner]").hidden = navigator.onLine;
    if (navigator.onLine) upload();
  }
  window.addEventListener("online", connection);
  window.addEventListener("offline", connection);
  if (/[?&]kept=1/.test(location.search)) status(T.tQueued); // kept by the service worker
  tidy().then(render).then(connection);

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "cached") document.querySelector("[data-offline-ready]").hidden = false;
    });
    navigator.serviceWorker.register(panel.dataset.sw, { scope: panel.dataset.swScope })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function (registration) {
        if (!navigator.onLine) return;
        // Keep what this page loaded (styles, scripts, icons) for the next offline visit.
        var urls = Array.prototype.map.call(
          document.querySelectorAll("script[src], link[rel=stylesheet][href], link[rel=icon][href]"),
          function (e) { return e.src || e.href; });
        registration.active.postMessage({ type: "cache", urls: urls });
      });
  }
})();
