/* The account form (accounts/users/form.html): show the scope field the chosen role needs, and
   take the member picked from the search results. */
(function () {
  "use strict";
  var data = document.getElementById("scope-of-role");
  var role = document.getElementById("id_role");
  if (!data || !role) return;
  var scopeOf = JSON.parse(data.textContent);
  function sync() {
    var needed = scopeOf[role.value] || "";
    document.querySelectorAll("[data-scope]").forEach(function (el) {
      el.hidden = el.getAttribute("data-scope") !== needed;
    });
  }
  role.addEventListener("change", sync);
  sync();
  document.addEventListener("click", function (event) {
    var pick = event.target.closest("[data-member-id]");
    if (!pick) return;
    document.getElementById("id_member").value = pick.getAttribute("data-member-id");
    var chosen = document.getElementById("member-chosen");
    var label = chosen.getAttribute("data-chosen-label");
    chosen.textContent = "";
    var strong = document.createElement("strong");
    strong.textContent = pick.getAttribute("data-member-label");
    chosen.append(label, strong);
    document.querySelectorAll("[data-member-id]").forEach(function (b) {
      b.setAttribute("aria-pressed", b === pick ? "true" : "false");
    });
  });
})();
