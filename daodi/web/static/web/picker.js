// Search-as-you-type pickers and camera scanning for lot and organisation fields
// (daodi/core/pickers.py renders the markup). Without this script each picker is a plain
// text input the server resolves; with it, typing asks the picker's JSON endpoint
// ({"results": [{"id", "text", "hint"}]}) and a tap on a match fills the field.
(function () {
  "use strict";
  var script = document.currentScript;
  var scannerSrc = script && script.dataset.scanner;
  var wasmSrc = script && script.dataset.wasm;
  var scanLabel = (script && script.dataset.scanTitle) || "Scan";
  var closeLabel = (script && script.dataset.closeTitle) || "Close";

  function debounce(fn, ms) {
    var timer;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  function setup(root) {
    if (root.dataset.pickerReady) return;
    root.dataset.pickerReady = "1";
    var input = root.querySelector("[data-pick-text]");
    var list = root.querySelector("[role=listbox]");
    var hidden = root.querySelector("[data-pick-id]");
    var lines = root.querySelector("[data-pick-lines]");
    var scan = root.querySelector("[data-pick-scan]");
    var url = root.dataset.pickUrl;
    var active = -1;
    var asked = 0;

    function close() {
      list.hidden = true;
      list.innerHTML = "";
      input.setAttribute("aria-expanded", "false");
      active = -1;
    }

    function fill(value, text) {
      if (lines) {
        var have = lines.value.split("\n").map(function (l) { return l.trim(); });
        if (have.indexOf(value) < 0) {
          lines.value = have.filter(Boolean).concat([value]).join("\n") + "\n";
          lines.rows = Math.max(2, lines.value.split("\n").length);
        }
        input.value = "";
        lines.dispatchEvent(new Event("change", { bubbles: true }));
      } else if (hidden) {
        input.value = text;
        hidden.value = value;
      } else {
        input.value = value;
      }
      input.dispatchEvent(new Event("change", { bubbles: true }));
      root.dispatchEvent(new CustomEvent("picker:picked", { bubbles: true, detail: { id: value, text: text } }));
      close();
    }

    function show(results) {
      list.innerHTML = "";
      results.forEach(function (r, i) {
        var item = document.createElement("li");
        item.className = "list-group-item list-group-item-action dd-pick-item";
        item.setAttribute("role", "option");
        item.id = list.id + "_" + i;
        var title = document.createElement("div");
        title.textContent = r.text;
        item.appendChild(title);
        if (r.hint) {
          var hint = document.createElement("div");
          hint.className = "small text-body-secondary";
          hint.textContent = r.hint;
          item.appendChild(hint);
        }
        item.addEventListener("mousedown", function (e) { e.preventDefault(); });
        item.addEventListener("click", function () { fill(String(r.id), r.text); });
        list.appendChild(item);
      });
      list.hidden = results.length === 0;
      input.setAttribute("aria-expanded", results.length ? "true" : "false");
      active = -1;
    }

    function lookup(q) {
      var sep = url.indexOf("?") < 0 ? "?" : "&";
      return fetch(url + sep + "q=" + encodeURIComponent(q), {
        credentials: "same-origin", headers: { Accept: "application/json" }
      })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) { return data.results || []; })
        .catch(function () { return []; });
    }

    var ask = debounce(function () {
      var mine = ++asked;
      lookup(input.value.trim()).then(function (results) {
        if (mine === asked) show(results);
      });
    }, 200);

    input.addEventListener("input", function () {
      if (hidden) hidden.value = "";
      ask();
    });
    input.addEventListener("focus", function () { if (!input.value) ask(); });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    input.addEventListener("keydown", function (e) {
      var items = list.querySelectorAll("[role=option]");
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        if (!items.length) return;
        e.preventDefault();
        active = (active + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
        items.forEach(function (el, i) { el.classList.toggle("active", i === active); });
        input.setAttribute("aria-activedescendant", items[active].id);
      } else if (e.key === "Enter" && active >= 0 && items[active]) {
        e.preventDefault();
        items[active].click();
      } else if (e.key === "Escape") {
        close();
      } else if (e.key === "Enter" && lines && input.value.trim()) {
        e.preventDefault(); // a typed or scanner-keyed code becomes a line of its own
        fill(input.value.trim(), input.value.trim());
      }
    });

    if (scan && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
      scan.hidden = false;
      scan.textContent = scanLabel;
      scan.addEventListener("click", function () {
        openScanner(function (text) {
          // A scanned Digital Link becomes the printed code of the lot it names, when the
          // picker knows it; otherwise the server reads the scanned text as it is.
          lookup(text).then(function (results) {
            if (results.length === 1) fill(String(results[0].id), results[0].text);
            else fill(text, text);
          });
        });
      });
    }
  }

  // --- camera -------------------------------------------------------------------------
  var detectorReady;

  function detector() {
    if (!detectorReady) {
      detectorReady = nativeDetector().then(function (native) {
        return native || loadPonyfill();
      });
    }
    return detectorReady;
  }

  function nativeDetector() {
    if (!("BarcodeDetector" in window)) return Promise.resolve(null);
    return window.BarcodeDetector.getSupportedFormats()
      .then(function (formats) {
        return formats.indexOf("qr_code") >= 0
          ? new window.BarcodeDetector({ formats: ["qr_code", "data_matrix"] }) : null;
      })
      .catch(function () { return null; });
  }

  function loadPonyfill() {
    return new Promise(function (resolve, reject) {
      var tag = document.createElement("script");
      tag.src = scannerSrc;
      tag.onload = function () {
        var api = window.BarcodeDetectionAPI;
        // The WebAssembly reader is served by the platform itself, never from a CDN.
        api.prepareZXingModule({
          overrides: { locateFile: function (path, prefix) {
            return path.endsWith(".wasm") ? wasmSrc : prefix + path;
          } }
        });
        resolve(new api.BarcodeDetector({ formats: ["qr_code", "data_matrix"] }));
      };
      tag.onerror = reject;
      document.head.appendChild(tag);
    });
  }

  function openScanner(done) {
    var overlay = document.createElement("div");
    overlay.className = "dd-scanner";
    overlay.setAttribute("role", "dialog");
    overlay.setAttribute("aria-modal", "true");
    overlay.setAttribute("data-testid", "scanner");
    var video = document.createElement("video");
    video.setAttribute("playsinline", "");
    video.muted = true;
    var stop = document.createElement("button");
    stop.type = "button";
    stop.className = "btn btn-light btn-lg";
    stop.textContent = closeLabel;
    overlay.appendChild(video);
    overlay.appendChild(stop);
    document.body.appendChild(overlay);
    var stream = null;
    var running = true;

    function finish(text) {
      running = false;
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
      overlay.remove();
      if (text) done(text);
    }
    stop.addEventListener("click", function () { finish(null); });

    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        return video.play();
      })
      .then(detector)
      .then(function (reader) {
        function tick() {
          if (!running) return;
          reader.detect(video).then(function (codes) {
            if (codes.length && codes[0].rawValue) finish(codes[0].rawValue.trim());
            else setTimeout(tick, 150);
          }).catch(function () { setTimeout(tick, 300); });
        }
        tick();
      })
      .catch(function () { finish(null); });
  }

  function setupAll(scope) {
    (scope || document).querySelectorAll("[data-picker]").forEach(setup);
  }
  document.addEventListener("DOMContentLoaded", function () { setupAll(document); });
  document.addEventListener("htmx:afterSwap", function (e) { setupAll(e.target); });
  window.daodiPickers = { setupAll: setupAll };
})();
