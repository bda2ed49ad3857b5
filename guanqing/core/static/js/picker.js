/* Searchable pickers (registry.pickers): choose a result, clear the choice, move with the keys;
   a picker of several adds each choice to its list, whose entries may be moved up and down.
   Loaded by each picker's widget; runs once per page. */
(function () {
  "use strict";
  if (window.guanqingPicker) return;
  window.guanqingPicker = true;

  function pickerOf(el) { return el && el.closest("[data-picker]"); }

  function results(picker) {
    return Array.prototype.slice.call(picker.querySelectorAll("[data-picker-id]"));
  }

  // A picker of several records (data-picker-many): a chosen result joins the list of ticked
  // entries (or is ticked again), the search box empties for the next one.
  function add(picker, id, text) {
    var entries = picker.querySelector("[data-picker-entries]");
    var box = null;
    entries.querySelectorAll("[data-picker-entry-value]").forEach(function (el) {
      if (el.value === id) box = el;
    });
    if (!box) {
      var entry = picker.querySelector("[data-picker-template]").content.firstElementChild.cloneNode(true);
      box = entry.querySelector("[data-picker-entry-value]");
      box.value = id;
      entry.querySelector("[data-picker-entry-text]").textContent = text;
      entries.appendChild(entry);
    }
    box.checked = true;
    picker.querySelector("[data-picker-none]").hidden = true;
    var search = picker.querySelector("[data-picker-search]");
    search.value = "";
    picker.querySelector("[data-picker-results]").textContent = "";
    search.focus();
    picker.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function move(entry, up) {
    var other = up ? entry.previousElementSibling : entry.nextElementSibling;
    if (!other) return;
    if (up) other.before(entry);
    else other.after(entry);
    entry.querySelector(up ? "[data-picker-up]" : "[data-picker-down]").focus();
  }

  function choose(picker, id, text) {
    if (picker.hasAttribute("data-picker-many")) {
      if (id) add(picker, id, text);
      return;
    }
    picker.querySelector("[data-picker-value]").value = id;
    picker.querySelector("[data-picker-label]").textContent = text;
    picker.querySelector("[data-picker-chosen]").hidden = !id;
    var search = picker.querySelector("[data-picker-search]");
    search.value = "";
    picker.querySelector("[data-picker-results]").textContent = "";
    if (id) picker.querySelector("[data-picker-clear]").focus();
    else search.focus();
    picker.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // The search asks for `q`, whatever the box is called in the form.
  document.addEventListener("htmx:configRequest", function (event) {
    var el = event.detail.elt;
    if (!el.matches || !el.matches("[data-picker-search]")) return;
    var params = event.detail.parameters;
    delete params[el.name];
    params.q = el.value;
    // narrowed by another field of the form (a member's branch by the chosen unit)
    var narrow = el.getAttribute("data-picker-narrow");
    var other = narrow && el.form ? el.form.elements.namedItem(narrow) : null;
    if (other && other.value) params.within = other.value;
    // or by the record the page is about (the members of the visit's unit)
    var within = el.getAttribute("data-picker-within");
    if (within) params.within = within;
  });

  document.addEventListener("click", function (event) {
    var item = event.target.closest("[data-picker-id]");
    var picker = pickerOf(item);
    if (item && picker) {
      choose(picker, item.getAttribute("data-picker-id"), item.getAttribute("data-picker-text"));
      return;
    }
    var clear = event.target.closest("[data-picker-clear]");
    picker = pickerOf(clear);
    if (clear && picker) {
      choose(picker, "", "");
      return;
    }
    var mover = event.target.closest("[data-picker-up], [data-picker-down]");
    var entry = mover && mover.closest("[data-picker-entry]");
    if (entry) move(entry, mover.hasAttribute("data-picker-up"));
  });

  document.addEventListener("keydown", function (event) {
    var picker = pickerOf(event.target);
    if (!picker) return;
    var items = results(picker);
    var search = picker.querySelector("[data-picker-search]");
    if (event.target === search) {
      if (event.key === "Enter") {
        // Enter searches (or takes the only result) instead of sending the whole form.
        event.preventDefault();
        if (items.length === 1) items[0].click();
        else htmx.trigger(search, "search");
      } else if (event.key === "ArrowDown" && items.length) {
        event.preventDefault();
        items[0].focus();
      }
      return;
    }
    var at = items.indexOf(event.target);
    if (at === -1) return;
    if (event.key === "ArrowDown" && at < items.length - 1) {
      event.preventDefault();
      items[at + 1].focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      (at > 0 ? items[at - 1] : search).focus();
    } else if (event.key === "Escape") {
      picker.querySelector("[data-picker-results]").textContent = "";
      search.focus();
    }
  });

  // A chosen record wins over text left in the search box: the box is not sent.
  document.addEventListener("submit", function (event) {
    event.target.querySelectorAll("[data-picker]").forEach(function (picker) {
      var value = picker.querySelector("[data-picker-value]");
      if (value && value.value) {
        picker.querySelector("[data-picker-search]").value = "";
      }
    });
  }, true);
})();
