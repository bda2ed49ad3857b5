/* Guanqing page helpers: no framework; htmx does the partial updates. */
(function () {
  "use strict";

  // Close the mobile menu after choosing a link.
  document.addEventListener("click", function (event) {
    var link = event.target.closest(".sidenav a");
    var toggle = document.getElementById("nav-toggle");
    if (link && toggle) toggle.checked = false;
  });

  // A 403 answer carries a message fragment (e.g. "needs a grant"): show it in place.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status === 403 && xhr.responseText) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Other failures of an htmx request: say so instead of failing silently.
  document.body.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    if (status === 403) return;
    var box = document.createElement("div");
    box.className = "alert alert--error";
    box.setAttribute("role", "alert");
    box.textContent = status === 404
      ? "记录不存在或不在您的权限范围内。"
      : "服务器出错，请稍后重试。";
    var main = document.getElementById("main");
    if (main) main.prepend(box);
  });

  // A filter box over a long list of checkboxes (同行党员): names that do not match what is
  // typed (the name, its 拼音 or initials, in data-keys) are hidden; ticked ones stay in view.
  function filterBoxes(input) {
    var grid = document.getElementById(input.getAttribute("data-filter-boxes"));
    if (!grid) return;
    var words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    grid.querySelectorAll("[data-keys]").forEach(function (item) {
      var keys = (item.textContent + " " + item.getAttribute("data-keys")).toLowerCase();
      var box = item.querySelector("input");
      var match = (box && box.checked) || words.every(function (word) {
        return keys.indexOf(word) !== -1;
      });
      item.hidden = !match;
      if (match) shown += 1;
    });
    var none = input.parentNode.querySelector("[data-filter-none]");
    if (none) none.hidden = shown > 0;
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("[data-filter-boxes]")) filterBoxes(event.target);
  });
  // Enter in the filter box filters; it must not submit the form around it.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches && event.target.matches("[data-filter-boxes]")) {
      event.preventDefault();
    }
  });

  // A form with data-confirm="…" asks before it is sent (an inline onsubmit would not run under
  // the Content-Security-Policy).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  // A field shown only while a select holds one value (data-shown-when="id_where=unit": the
  // report chooser's unit picker, while its area is 某个单位). Without scripts it stays shown.
  function syncShownWhen() {
    document.querySelectorAll("[data-shown-when]").forEach(function (el) {
      var rule = el.getAttribute("data-shown-when");
      var at = rule.indexOf("=");
      var field = document.getElementById(rule.slice(0, at));
      if (field) el.hidden = field.value !== rule.slice(at + 1);
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select")) syncShownWhen();
  });
  document.body.addEventListener("htmx:afterSwap", syncShownWhen);
  syncShownWhen();

  // The session ended (idle time-out) while on the page: go to the login page.
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.responseURL && xhr.responseURL.indexOf("/accounts/login/") !== -1) {
      window.location.href = xhr.responseURL;
    }
  });
})();
