// The inspector's pages work with a poor network: a worker keeps the visit pages for offline reloads (an "offline"
// banner says so), and the finding form keeps a draft: its fields in localStorage and its photos in IndexedDB (per
// visit), restored on load and cleared once the server confirmed the submit (?submitted=N).
(function () {
  "use strict";
  var PREFIX = "ws-inspect-";
  var USER_KEY = PREFIX + "user";
  var submittedQuery = /[?&]submitted=/.test(window.location.search);

  // --- Offline shell -------------------------------------------------------------------------------------------
  function forgetPages() {
    if (!window.caches) { return Promise.resolve(); }
    return caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k.indexOf(PREFIX) === 0; }).map(function (k) { return caches.delete(k); }));
    }).catch(function () { /* nothing kept */ });
  }

  var banner = document.getElementById("offline-banner");
  function showNetwork() { if (banner) { banner.hidden = navigator.onLine !== false; } }
  showNetwork();
  window.addEventListener("online", showNetwork);
  window.addEventListener("offline", showNetwork);

  // Another inspector on this phone must never see the last one's kept pages.
  var user = banner ? banner.getAttribute("data-user") : null;
  if (user) {
    try {
      var before = localStorage.getItem(USER_KEY);
      if (before && before !== user) { forgetPages(); }
      localStorage.setItem(USER_KEY, user);
    } catch (e) { /* storage disabled */ }
  }

  // Logging out clears the kept pages first (the worker also clears them once a page of it redirects to /login).
  var logout = document.querySelector("form[action='/logout']");
  if (logout) {
    logout.addEventListener("submit", function (event) {
      event.preventDefault();
      var done = false;
      function go() { if (!done) { done = true; logout.submit(); } }
      forgetPages().then(go, go);
      window.setTimeout(go, 1500);
    });
  }

  if ("serviceWorker" in navigator && window.isSecureContext) {
    var controlled = !!navigator.serviceWorker.controller;
    navigator.serviceWorker.register("/app/inspect/sw.js", { scope: "/app/inspect" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      // This load went past the worker (first visit) or showed a submit's result: keep a fresh copy of the plain page.
      if ((!controlled || submittedQuery) && registration.active && navigator.onLine !== false) {
        registration.active.postMessage({ type: "remember", path: window.location.pathname });
      }
    }).catch(function () { /* no worker: the pages still work online */ });
  }

  // --- The finding form's draft ----------------------------------------------------------------------------------
  var form = document.getElementById("finding-form");
  if (!form) { return; }
  var visitId = form.getAttribute("data-visit");
  var key = PREFIX + "draft-" + visitId;
  var photoKey = "visit-" + visitId;
  var status = document.getElementById("draft-status");
  var photo = document.getElementById("photo");

  function say(text) { if (status) { status.textContent = text; } }

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      // The form token belongs to this page's session: a draft never carries an old one back.
      return el.name && el.name !== "csrf_token" && el.type !== "file" && el.type !== "submit" && el.type !== "button";
    });
  }

  function save() {
    var data = {};
    fields().forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        if (!data[el.name]) { data[el.name] = []; }
        if (el.checked) { data[el.name].push(el.value); }
      } else {
        data[el.name] = el.value;
      }
    });
    try {
      localStorage.setItem(key, JSON.stringify({ saved_at: new Date().toISOString(), fields: data }));
      say(form.getAttribute("data-saved-text"));
    } catch (e) { /* storage full or disabled: the form still works */ }
  }

  function restore() {
    var raw = null;
    try { raw = localStorage.getItem(key); } catch (e) { return; }
    if (!raw) { return; }
    var data;
    try { data = JSON.parse(raw).fields || {}; } catch (e) { return; }
    fields().forEach(function (el) {
      if (!(el.name in data)) { return; }
      var value = data[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = Array.isArray(value) && value.indexOf(el.value) >= 0;
      } else if (typeof value === "string") {
        el.value = value;
      }
    });
    say(form.getAttribute("data-restored-text"));
  }

  // Photos: one IndexedDB record per visit, the chosen files as Blobs with their names and types.
  function photoStore(mode, act) {
    return new Promise(function (resolve, reject) {
      if (!window.indexedDB) { reject(new Error("no IndexedDB")); return; }
      var opening = indexedDB.open(PREFIX + "drafts", 1);
      opening.onupgradeneeded = function () { opening.result.createObjectStore("photos"); };
      opening.onerror = function () { reject(opening.error); };
      opening.onsuccess = function () {
        var db = opening.result;
        var tx = db.transaction("photos", mode);
        var request = act(tx.objectStore("photos"));
        tx.oncomplete = function () { db.close(); resolve(request ? request.result : undefined); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      };
    });
  }

  function savePhotos() {
    var files = Array.prototype.slice.call(photo.files || []);
    var kept = files.map(function (f) { return { name: f.name, type: f.type, modified: f.lastModified, blob: f.slice(0, f.size, f.type) }; });
    return photoStore("readwrite", function (store) {
      return kept.length ? store.put(kept, photoKey) : store.delete(photoKey);
    }).then(function () {
      photo.setAttribute("data-kept", String(kept.length));
      say(form.getAttribute("data-saved-text"));
    }).catch(function () { /* storage full or disabled: the photos are still in the input */ });
  }

  // Previews of the chosen photos (object URLs, allowed by the pages' img-src blob:); without script the browser
  // still lists the chosen files by name.
  var previews = document.getElementById("photo-previews");
  var previewUrls = [];
  function showPreviews() {
    if (!previews || !photo) { return; }
    previewUrls.forEach(function (u) { URL.revokeObjectURL(u); });
    previewUrls = [];
    previews.textContent = "";
    Array.prototype.forEach.call(photo.files || [], function (file, index) {
      if (!/^image\//.test(file.type)) { return; }
      var url = URL.createObjectURL(file);
      previewUrls.push(url);
      var img = document.createElement("img");
      img.src = url;
      img.alt = (previews.getAttribute("aria-label") || "") + " " + (index + 1);
      img.className = "preview";
      previews.appendChild(img);
    });
  }

  // A restored tick among the commendations opens their section, so nothing ticked is out of sight.
  function openTickedPraise() {
    var praise = document.getElementById("praise");
    if (praise && praise.querySelector("input:checked")) { praise.open = true; }
  }

  function restorePhotos() {
    return photoStore("readonly", function (store) { return store.get(photoKey); }).then(function (kept) {
      if (!kept || !kept.length || (photo.files && photo.files.length)) { return; }
      var transfer = new DataTransfer();
      kept.forEach(function (p) { transfer.items.add(new File([p.blob], p.name, { type: p.type, lastModified: p.modified })); });
      photo.files = transfer.files;
      photo.setAttribute("data-kept", String(kept.length));
      showPreviews();
      say(form.getAttribute("data-restored-text"));
    }).catch(function () { /* nothing kept, or no DataTransfer here: the inspector picks the photos again */ });
  }

  function clearPhotos() {
    return photoStore("readwrite", function (store) { return store.delete(photoKey); }).catch(function () { /* nothing kept */ });
  }

  if (form.getAttribute("data-submitted")) {
    try { localStorage.removeItem(key); } catch (e) { /* nothing to clear */ }
    clearPhotos();
    var url = new URL(window.location.href);
    url.searchParams.delete("submitted");
    window.history.replaceState(null, "", url.pathname + url.search);
  } else {
    restore();
    openTickedPraise();
    if (photo) { restorePhotos(); }
  }

  // Picking a person picks the window they are posted at.
  var person = document.getElementById("staff_id");
  var windowSelect = document.getElementById("window_id");
  if (person && windowSelect) {
    person.addEventListener("change", function () {
      var option = person.options[person.selectedIndex];
      var at = option && option.getAttribute("data-window");
      if (at) { windowSelect.value = at; }
    });
  }

  form.addEventListener("input", function (event) { if (event.target !== photo) { save(); } });
  form.addEventListener("change", function (event) { if (event.target === photo) { showPreviews(); savePhotos(); } else { save(); } });
  // Saved again on submit: if the network is down the browser shows its error page and the draft survives.
  form.addEventListener("submit", save);
})();
