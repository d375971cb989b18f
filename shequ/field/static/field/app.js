/* Shequ field app: the offline queue, the service worker, the visit form.
   Plain JavaScript, no framework, no build step.

   Every form marked data-queue is saved first into IndexedDB with a client
   UUID (the idempotency key), then uploaded; a failed upload stays in the
   queue, visible, until it goes through or the worker discards it. Nothing
   personal goes into localStorage or URLs; logging out deletes the queue and
   every cache. */
(function () {
  "use strict";
  var DB_NAME = "shequ-field";
  var body = document.body;
  var USER = body.dataset.user || "";
  var syncing = false;
  var MESSAGES = (function () { var el = document.getElementById("field-messages"); return el ? JSON.parse(el.textContent) : {}; })();
  function T(key, n) { var text = MESSAGES[key] || key; return n === undefined ? text : text.replace("%(n)s", n); }

  // ------------------------------------------------------------ IndexedDB
  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains("queue")) db.createObjectStore("queue", { keyPath: "id" });
        if (!db.objectStoreNames.contains("meta")) db.createObjectStore("meta", { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  function tx(store, mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(store, mode);
        var result = work(t.objectStore(store));
        t.oncomplete = function () { db.close(); resolve(result && result.result !== undefined ? result.result : result); };
        t.onerror = function () { db.close(); reject(t.error); };
      });
    });
  }
  function allItems() {
    return tx("queue", "readonly", function (s) { return s.getAll(); }).then(function (items) {
      return (items || []).sort(function (a, b) { return a.created < b.created ? -1 : 1; });
    });
  }
  function putItem(item) { return tx("queue", "readwrite", function (s) { return s.put(item); }); }
  function deleteItem(id) { return tx("queue", "readwrite", function (s) { return s.delete(id); }); }
  // An upload's failure is written back only if the item is still queued: the
  // worker may have discarded it while the upload was on its way.
  function markFailed(item) {
    return tx("queue", "readwrite", function (s) {
      var read = s.get(item.id);
      read.onsuccess = function () { if (read.result) s.put(item); };
    });
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // ------------------------------------------------------------ Wiping
  function wipe() {
    var jobs = [];
    if (window.caches) jobs.push(caches.keys().then(function (keys) { return Promise.all(keys.map(function (k) { return caches.delete(k); })); }));
    jobs.push(new Promise(function (resolve) {
      var r = indexedDB.deleteDatabase(DB_NAME);
      r.onsuccess = r.onerror = r.onblocked = function () { resolve(); };
    }));
    if (navigator.serviceWorker) {
      jobs.push(navigator.serviceWorker.getRegistrations().then(function (regs) {
        return Promise.all(regs.map(function (r) { return r.unregister(); }));
      }));
    }
    return Promise.all(jobs).catch(function () {});
  }

  // Another account on this phone: nothing of the previous one may remain.
  function checkOwner() {
    return tx("meta", "readonly", function (s) { return s.get("owner"); }).then(function (row) {
      if (row && row.value !== USER) return wipe().then(function () { return remember(); });
      if (!row) return remember();
    }).catch(function () {});
  }
  function remember() { return tx("meta", "readwrite", function (s) { return s.put({ key: "owner", value: USER }); }); }

  document.querySelectorAll("form[data-field-logout]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      allItems().catch(function () { return []; }).then(function (items) {
        if (items.length && !window.confirm(T("confirm_logout", items.length))) return;
        wipe().then(function () { form.submit(); });
      });
    });
  });

  // ------------------------------------------------------------ Showing the queue
  function flash(text, isError) {
    var box = document.getElementById("flash");
    if (!box) return;
    box.textContent = text;
    box.className = "flash" + (isError ? " error" : "");
    box.hidden = false;
  }

  function render() {
    return allItems().then(function (items) {
      var badge = document.getElementById("sync-badge");
      var count = document.getElementById("sync-count");
      if (badge) { badge.hidden = items.length === 0; count.textContent = items.length; }
      var list = document.getElementById("queue-list");
      if (!list) return;
      document.getElementById("unsynced-count").textContent = items.length;
      document.getElementById("queue-empty").hidden = items.length > 0;
      document.getElementById("sync-now").hidden = items.length === 0;
      list.textContent = "";
      items.forEach(function (item) {
        var li = document.createElement("li");
        li.dataset.id = item.id;
        var title = document.createElement("div");
        title.textContent = item.label;
        var state = document.createElement("div");
        state.className = "state" + (item.error ? " error" : "");
        state.textContent = item.error ? item.error : (navigator.onLine ? T("waiting") : T("waiting_offline"));
        li.appendChild(title); li.appendChild(state);
        if (item.error) {
          var drop = document.createElement("button");
          drop.type = "button"; drop.textContent = T("discard");
          drop.addEventListener("click", function () {
            if (window.confirm(T("confirm_discard"))) deleteItem(item.id).then(render);
          });
          li.appendChild(drop);
        }
        list.appendChild(li);
      });
    }).catch(function () {});
  }

  function showNet() {
    var net = document.getElementById("net-state");
    if (net) net.hidden = navigator.onLine;
  }

  // ------------------------------------------------------------ Uploading
  function csrf() {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function send(item) {
    var data = new FormData();
    Object.keys(item.fields).forEach(function (k) {
      var v = item.fields[k];
      if (Array.isArray(v)) v.forEach(function (x) { data.append(k, x); }); else data.append(k, v);
    });
    data.append("client_id", item.id);
    data.append("client_sent_at", new Date().toISOString());
    (item.files || []).forEach(function (f, i) {
      var video = f.type && f.type.indexOf("video/") === 0;
      data.append(item.fileField || "photos", f, (video ? "video-" : "photo-") + i + (video ? (f.type === "video/quicktime" ? ".mov" : ".mp4") : ".jpg"));
    });
    return fetch(item.url, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(), "Accept": "application/json", "X-Requested-With": "XMLHttpRequest" }
    });
  }

  function syncAll() {
    if (syncing || !navigator.onLine) return Promise.resolve();
    syncing = true;
    return allItems().then(function (items) {
      return items.reduce(function (chain, item) {
        return chain.then(function () {
          return send(item).then(function (response) {
            if (response.redirected && response.url.indexOf("/accounts/login/") >= 0) {
              item.error = T("login_expired");
              return markFailed(item);
            }
            var type = response.headers.get("Content-Type") || "";
            if (type.indexOf("application/json") < 0) {
              if (response.status >= 500) return;  // try again later
              item.error = T("upload_failed_status", response.status);
              return markFailed(item);
            }
            return response.json().then(function (json) {
              if (response.ok) {
                var text = T("uploaded", item.label);
                if (json.cases && json.cases.length) text += T("cases_made", json.cases.map(function (c) { return c.number; }).join(", "));
                if (json.warnings && json.warnings.length) text += "。" + json.warnings.join(" ");
                flash(text, false);
                return deleteItem(item.id);
              }
              if (response.status >= 500 || response.status === 429) return;
              item.error = (json.error && json.error.message) || T("upload_failed");
              return markFailed(item);
            });
          }).catch(function () { /* offline or cut off mid-way: stays queued */ });
        });
      }, Promise.resolve());
    }).then(function () { syncing = false; return render(); }, function () { syncing = false; });
  }

  // ------------------------------------------------------------ Photos: shrink on the phone
  function shrink(file) {
    return new Promise(function (resolve) {
      if (!file.type || file.type.indexOf("image/") !== 0) return resolve(file);
      var img = new Image();
      var url = URL.createObjectURL(file);
      img.onload = function () {
        var max = 1600, w = img.naturalWidth, h = img.naturalHeight;
        var scale = Math.min(1, max / Math.max(w, h));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(w * scale); canvas.height = Math.round(h * scale);
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(url);
        // Redrawing also drops the EXIF block (location, phone model).
        canvas.toBlob(function (blob) { resolve(blob || file); }, "image/jpeg", 0.8);
      };
      img.onerror = function () { URL.revokeObjectURL(url); resolve(file); };
      img.src = url;
    });
  }

  // ------------------------------------------------------------ Forms into the queue
  function visitFields(form) {
    var f = form.elements;
    var checked = function (name) {
      return Array.prototype.filter.call(form.querySelectorAll("input[name=" + name + "]:checked"), function () { return true; })
        .map(function (i) { return i.value; });
    };
    var payload = {
      outcome: (form.querySelector("input[name=outcome]:checked") || {}).value || "met",
      met: f.met.value, notes: f.notes.value,
      must_contact: checked("must_contact"), must_know: checked("must_know"),
      household_version: f.household_version.value, client_time: new Date().toISOString(),
      needs: [], proposals: []
    };
    if (f.need.value.trim()) payload.needs.push({ description: f.need.value.trim(), kind: f.need_kind.value, category: f.need_category.value });
    var kind = f.proposal_kind.value;
    if (kind === "new_member") payload.proposals.push({ kind: kind, name: f.proposal_name.value, gender: f.proposal_gender.value, relation: f.proposal_relation.value, birth_date: f.proposal_birth_date.value });
    if (kind === "moved_out" || kind === "phone_changed") {
      var opt = f.proposal_resident.selectedOptions[0];
      payload.proposals.push({ kind: kind, resident: f.proposal_resident.value, resident_version: opt ? opt.dataset.version : "", destination: f.proposal_destination.value, mobile: f.proposal_mobile.value });
    }
    var option = f.household.selectedOptions[0];
    return { fields: { household: f.household.value, payload: JSON.stringify(payload) }, label: T("visit_label", option ? option.textContent.split(" · ")[0] : "") };
  }

  function plainFields(form) {
    var fields = {};
    new FormData(form).forEach(function (value, key) {
      if (key === "csrfmiddlewaretoken" || key === "use_location" || value instanceof File) return;
      if (fields[key] === undefined) fields[key] = value;
      else fields[key] = [].concat(fields[key], value);
    });
    fields.client_time = new Date().toISOString();
    var label = form.dataset.label || T("item");
    var about = fields.description || fields.text || "";
    if (about) label += "：" + String(about).slice(0, 20);
    return { fields: fields, label: label };
  }

  // The phone's position for a report; a refusal is fine (the chosen place is used).
  function locate(form) {
    return new Promise(function (resolve) {
      var wanted = form.elements.use_location && form.elements.use_location.checked;
      if (!wanted) return resolve(null);
      if (!navigator.geolocation) return resolve("denied");
      navigator.geolocation.getCurrentPosition(
        function (p) { resolve(p.coords); },
        function () { resolve("denied"); },
        { timeout: 8000, maximumAge: 60000 }
      );
    });
  }

  document.querySelectorAll("form[data-queue]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var kind = form.dataset.queue;
      if (kind === "visit" && !form.elements.household.value) { flash(T("pick_household"), true); return; }
      var input = kind === "visit" ? form.elements.photos : (kind === "report" ? form.elements.files : null);
      var chosen = input ? Array.prototype.slice.call(input.files || []) : [];
      var limit = Number(form.dataset.videoMb || 50) * 1024 * 1024;
      if (chosen.some(function (f) { return f.type.indexOf("video/") === 0 && f.size > limit; })) {
        flash(T("video_too_large", form.dataset.videoMb), true);
        return;
      }
      var notice = "";
      var where = kind === "report" ? locate(form) : Promise.resolve(null);
      where.then(function (coords) {
        if (coords === "denied") notice = T("no_location");
        else if (coords) { form.elements.latitude.value = coords.latitude.toFixed(6); form.elements.longitude.value = coords.longitude.toFixed(6); }
        var built = kind === "visit" ? visitFields(form) : plainFields(form);
        return Promise.all(chosen.map(shrink)).then(function (files) {
          var item = { id: uuid(), kind: kind, url: form.action, fields: built.fields, files: files, fileField: kind === "report" ? "files" : "photos", label: built.label, created: new Date().toISOString() };
          return putItem(item);
        });
      }).then(function () {
        form.reset();
        if (kind === "visit") resetVisitForm(form);
        flash((navigator.onLine ? T("saved_uploading") : T("saved_offline")) + notice, false);
        window.scrollTo(0, 0);
        return render();
      }).then(syncAll).catch(function () { flash(T("storage_failed"), true); });
    });
  });

  // ------------------------------------------------------------ The visit form
  function readJson(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : {}; }

  function resetVisitForm(form) {
    form.querySelectorAll("[data-need-kind]").forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
    form.elements.need_kind.value = "";
    form.elements.need_category.hidden = true;
    showProposal(form);
    pickHousehold(form);
  }

  function pickHousehold(form) {
    var select = form.elements.household;
    var option = select.selectedOptions[0];
    form.elements.household_version.value = option && option.dataset.version ? option.dataset.version : "";
    var members = readJson("members-data")[select.value] || [];
    var target = form.elements.proposal_resident;
    target.textContent = "";
    members.forEach(function (m) {
      var o = document.createElement("option");
      o.value = m.id; o.textContent = m.name; o.dataset.version = m.version;
      target.appendChild(o);
    });
  }

  function showProposal(form) {
    var kind = form.elements.proposal_kind.value;
    form.querySelectorAll(".proposal [data-for]").forEach(function (box) {
      box.hidden = box.dataset.for.split(" ").indexOf(kind) < 0;
    });
  }

  var visit = document.getElementById("visit-form");
  if (visit) {
    var select = visit.elements.household;
    var wanted = new URLSearchParams(location.search).get("household");
    if (wanted) select.value = wanted;
    pickHousehold(visit);
    select.addEventListener("change", function () { pickHousehold(visit); });
    visit.elements.proposal_kind.addEventListener("change", function () { showProposal(visit); });
    document.getElementById("household-search").addEventListener("input", function (event) {
      var q = event.target.value.trim();
      var first = null;
      select.querySelectorAll("option[value]").forEach(function (o) {
        if (!o.value) return;
        var match = !q || o.textContent.indexOf(q) >= 0;
        o.hidden = !match;
        if (match && !first) first = o;
      });
      if (q && first) { select.value = first.value; pickHousehold(visit); }
    });
    var categories = readJson("categories-data");
    visit.querySelectorAll("[data-need-kind]").forEach(function (button) {
      button.addEventListener("click", function () {
        var on = button.getAttribute("aria-pressed") !== "true";
        visit.querySelectorAll("[data-need-kind]").forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
        button.setAttribute("aria-pressed", on ? "true" : "false");
        var kind = on ? button.dataset.needKind : "";
        visit.elements.need_kind.value = kind;
        var cat = visit.elements.need_category;
        cat.textContent = "";
        (categories[kind] || []).forEach(function (c) {
          var o = document.createElement("option"); o.value = c.code; o.textContent = c.name; cat.appendChild(o);
        });
        cat.hidden = !kind;
      });
    });
    showProposal(visit);
  }

  var now = document.getElementById("sync-now");
  if (now) now.addEventListener("click", syncAll);

  // ------------------------------------------------------------ Start
  window.addEventListener("online", function () { showNet(); syncAll(); });
  window.addEventListener("offline", function () { showNet(); render(); });
  showNet();
  checkOwner().then(render).then(syncAll);
  setInterval(function () { if (navigator.onLine) syncAll(); }, 30000);
  if (navigator.serviceWorker && body.dataset.sw) {
    navigator.serviceWorker.register(body.dataset.sw, { scope: body.dataset.scope }).catch(function () {});
  }
  window.shequField = { syncAll: syncAll, allItems: allItems, wipe: wipe };
})();
