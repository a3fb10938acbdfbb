// crmhub operations console: keyboard shortcuts and confirmations. Served by the plugin (CSP script-src 'self').
(function () {
  "use strict";
  function typing(target) {
    return target && (target.tagName === "INPUT" || target.tagName === "SELECT" || target.tagName === "TEXTAREA");
  }
  // Airflow shows the console in a sandboxed iframe without allow-modals: window.confirm() is ignored there.
  // A form with data-confirm asks in place instead: the first press arms it, the second submits.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (!question || form.getAttribute("data-armed")) { return; }
    event.preventDefault();
    form.setAttribute("data-armed", "1");
    var button = form.querySelector("button");
    if (button) { button.textContent = "Confirm: " + button.textContent; button.title = question; }
    var note = document.createElement("small");
    note.className = "confirm-note";
    note.textContent = " " + question;
    form.appendChild(note);
  });
  function items() { return Array.prototype.slice.call(document.querySelectorAll("#queue .item")); }
  function current() { return document.querySelector("#queue .item.current"); }
  function select(item) {
    items().forEach(function (el) { el.classList.remove("current"); });
    if (item) { item.classList.add("current"); item.focus({preventScroll: true}); item.scrollIntoView({block: "nearest"}); }
  }
  function move(step) {
    var all = items(), at = all.indexOf(current());
    var next = all[Math.min(all.length - 1, Math.max(0, at + step))];
    select(next);
  }
  function decide(decision) {
    var item = current();
    if (!item) { return; }
    var form = item.querySelector('form[data-decision="' + decision + '"]');
    if (form) { item.classList.add("deciding"); form.submit(); }
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var key = event.key;
    var onReview = document.body.getAttribute("data-page") === "review";
    if (/^[1-9]$/.test(key) && onReview) {  // on the review page: mark record N of the current item as leaving
      var box = current() && current().querySelector('input[data-member="' + key + '"]');
      if (box) { box.checked = !box.checked; }
      return;
    }
    if (/^[1-6]$/.test(key)) {
      var link = document.querySelector('header nav a[data-key="' + key + '"]');
      if (link) { window.location.href = link.href; }
      return;
    }
    if (!onReview) { return; }
    var actions = {j: function () { move(1); }, ArrowDown: function () { move(1); },
                   k: function () { move(-1); }, ArrowUp: function () { move(-1); },
                   a: function () { decide("approve"); }, s: function () { decide("split"); },
                   r: function () { decide("reject"); }};
    if (actions[key]) { event.preventDefault(); actions[key](); }
  });
  document.addEventListener("click", function (event) {
    var item = event.target.closest && event.target.closest("#queue .item");
    if (item) { select(item); }
  });
  document.addEventListener("DOMContentLoaded", function () { select(current()); });
}());
