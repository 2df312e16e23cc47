// Batch uploads: follow a working batch's progress without reloading, and refuse in the
// browser a set of files larger than the server takes. Without this file the page refreshes
// itself (a <noscript> refresh) and the server answers a too-large request with clear words.
(function () {
  "use strict";

  function follow(section) {
    var url = section.dataset.progressUrl;
    if (!url || !section.dataset.active) return;
    function set(name, text) {
      var el = section.querySelector('[data-field="' + name + '"]');
      if (el) el.textContent = text;
    }
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) return;
          set("status", data.status_label);
          set("ended", data.ended);
          set("total", data.total);
          set("percent", data.percent);
          set("pace", data.pace);
          var bar = section.querySelector('[data-field="bar"]');
          if (bar) bar.value = data.percent;
          Object.keys(data.counts).forEach(function (state) {
            var dd = section.querySelector('[data-count="' + state + '"]');
            if (dd) dd.textContent = data.counts[state];
          });
          var wait = section.querySelector('[data-field="wait"]');
          if (wait) {
            wait.hidden = !data.wait_reason;
            if (data.wait_reason) {
              wait.textContent = data.wait_reason + " → " + new Date(data.wait_until).toLocaleTimeString();
            }
          }
          if (["checking", "fetching", "running"].indexOf(data.status) === -1) {
            window.location.reload(); // the batch stopped working: show its rows as they are
            return;
          }
          window.setTimeout(tick, 2000);
        })
        .catch(function () { window.setTimeout(tick, 5000); });
    }
    window.setTimeout(tick, 1000);
  }

  function guardSize(form) {
    var max = parseInt(form.dataset.maxBytes || "0", 10);
    var input = form.querySelector("input[type=file]");
    var message = form.querySelector("#files-too-large");
    if (!max || !input || !message) return;
    form.addEventListener("submit", function (event) {
      var total = 0;
      Array.prototype.forEach.call(input.files || [], function (f) { total += f.size; });
      if (total > max) {
        event.preventDefault();
        message.hidden = false;
        message.textContent = message.dataset.template
          .replace("%(sent)s", Math.ceil(total / 1048576))
          .replace("%(max)s", Math.floor(max / 1048576));
      }
    });
  }

  document.querySelectorAll("[data-progress-url]").forEach(follow);
  document.querySelectorAll("form[data-max-bytes]").forEach(guardSize);
})();
