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

  // The session ended (idle time-out) while on the page: go to the login page.
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.responseURL && xhr.responseURL.indexOf("/accounts/login/") !== -1) {
      window.location.href = xhr.responseURL;
    }
  });
})();
