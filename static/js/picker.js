// Organisation picker: suggest matches as one types. Without this file the Search button does
// the same through the server, so this only saves a round trip (progressive enhancement).
(function () {
  "use strict";

  function option(name, id, label, checked) {
    var wrap = document.createElement("label");
    wrap.className = "picker-option";
    var input = document.createElement("input");
    input.type = "radio";
    input.name = name;
    input.value = id;
    input.checked = checked;
    wrap.appendChild(input);
    wrap.appendChild(document.createTextNode(" " + label));
    return wrap;
  }

  function enhance(picker) {
    var name = picker.dataset.name;
    var url = picker.dataset.suggestUrl;
    var box = picker.querySelector("input[type=search]");
    var search = picker.querySelector("button[type=submit]");
    var choices = picker.querySelector(".picker-choices");
    var status = picker.querySelector(".picker-status");
    if (!name || !url || !box || !choices || !status) return;
    var none = choices.querySelector("input[type=radio][value='']");
    var noneLabel = none ? none.parentNode.textContent.trim() : "";
    var timer = null;
    var asked = 0;

    function show(data, ticket) {
      if (ticket !== asked) return; // an answer to an older question
      var kept = choices.querySelector("input[type=radio]:checked");
      var keep = kept && kept.value ? kept.parentNode : null;
      choices.querySelectorAll(".picker-option").forEach(function (el) {
        if (el !== keep) el.remove();
      });
      data.results.forEach(function (row) {
        if (!keep || String(row.id) !== keep.querySelector("input").value) {
          choices.appendChild(option(name, row.id, row.label, false));
        }
      });
      if (noneLabel && choices.querySelector(".picker-option")) {
        choices.appendChild(option(name, "", noneLabel, !keep));
      }
      status.textContent = data.status;
    }

    function ask() {
      var q = box.value.trim();
      var ticket = ++asked;
      if (!q) return;
      fetch(url + "?q=" + encodeURIComponent(q), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (data) {
          if (data) show(data, ticket);
        })
        .catch(function () {
          // Offline or refused: the Search button still works.
        });
    }

    box.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 250);
    });
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && search) {
        // Enter searches this field (through the server), never saves the half-filled form.
        event.preventDefault();
        search.click();
      }
    });
    // A choice made from the suggestions is what gets saved: the typed words are not a search.
    choices.addEventListener("change", function () {
      box.value = "";
    });
  }

  function start() {
    document.querySelectorAll(".picker[data-suggest-url]").forEach(function (picker) {
      if (picker.dataset.pickerReady) return;
      picker.dataset.pickerReady = "1";
      enhance(picker);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
