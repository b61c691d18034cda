// wenming console: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  // Complete form: offer "add another volunteer" (three rows are there without script).
  document.querySelectorAll("form[data-rows]").forEach(function (form) {
    var add = form.querySelector("[data-add-row]");
    if (!add) return;
    add.hidden = false;
    add.addEventListener("click", function () {
      var rows = form.querySelectorAll(".volunteer-row");
      var last = rows[rows.length - 1];
      var copy = last.cloneNode(true);
      var n = rows.length;
      copy.querySelectorAll("input").forEach(function (input) {
        input.value = "";
        input.required = false;
        var old = input.id;
        input.id = old.replace(/-\d+$/, "-" + n);
        var label = copy.querySelector('label[for="' + old + '"]');
        if (label) {
          label.htmlFor = input.id;
          label.textContent = label.textContent.replace(/\d+$/, String(n + 1));
        }
      });
      last.after(copy);
      copy.querySelector("input").focus();
    });
  });
  // A form sent once is not sent twice by a second tap on a slow connection.
  document.querySelectorAll("form[method=post]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (button) window.setTimeout(function () { button.disabled = true; }, 0);
    });
  });
})();
