/* Chain editor: add, remove and reorder steps in the page, and keep the print preview in step.
   Without JavaScript the same buttons post chain_cmd and the server does the same. */
(function () {
  "use strict";

  var THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙";
  function thaiDigits(text) {
    return String(text).replace(/[0-9]/g, function (d) { return THAI_DIGITS[+d]; });
  }

  var form = document.querySelector("[data-chain-form]");
  if (!form) { return; }
  var container = form.querySelector("[data-chain-rows]");
  var template = form.querySelector("[data-chain-template]");
  var preview = document.querySelector("[data-chain-preview]");
  var maxRows = parseInt(container.getAttribute("data-max-rows"), 10) || 20;

  function rows() { return container.querySelectorAll("[data-chain-row]"); }

  /* Field names steps-N-title ... must follow the order on screen. */
  function renumber() {
    rows().forEach(function (row, i) {
      var number = row.querySelector("[data-chain-number]");
      if (number) { number.textContent = thaiDigits(i + 1); }
      row.querySelectorAll("input, select, label").forEach(function (el) {
        ["name", "id", "for"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) { el.setAttribute(attr, value.replace(/^steps-(\d+|__i__)-/, "steps-" + i + "-")); }
        });
      });
      row.querySelectorAll("[data-chain-cmd]").forEach(function (btn) {
        btn.value = btn.getAttribute("data-chain-cmd") + ":" + i;
      });
    });
    renderPreview();
  }

  function field(row, name) { return row.querySelector("[data-chain-field='" + name + "']"); }

  function block(title, name, position, group) {
    var div = document.createElement("div");
    div.className = "sig-block";
    div.setAttribute("data-preview-block", "");
    function p(cls, text) {
      var el = document.createElement("p");
      if (cls) { el.className = cls; }
      el.textContent = text;
      return el;
    }
    if (group) {
      var marker = p("small text-muted mb-0", "ลงนามพร้อมกัน กลุ่ม " + thaiDigits(group));
      marker.setAttribute("data-preview", "group");
      div.appendChild(marker);
    }
    div.appendChild(p("sig-heading", title));
    div.appendChild(p("sig-dots", ".............................................................................."));
    div.appendChild(p("sig-dots", ".............................................................................."));
    var lines = document.createElement("div");
    lines.className = "sig-lines";
    lines.appendChild(p("sig-space", "\u00a0"));
    lines.appendChild(p("", "(" + name + ")"));
    lines.appendChild(p("", position));
    div.appendChild(lines);
    return div;
  }

  function renderPreview() {
    if (!preview) { return; }
    preview.textContent = "";
    var list = rows();
    if (!list.length) {
      var empty = document.createElement("p");
      empty.className = "text-muted";
      empty.textContent = "ยังไม่มีขั้นในสายการลงนาม";
      preview.appendChild(empty);
      return;
    }
    list.forEach(function (row) {
      var select = field(row, "assignee");
      var option = select && select.options[select.selectedIndex];
      var name = option && option.value ? (option.getAttribute("data-full-name") || option.textContent) : "……………………";
      var position = option && option.value ? (option.getAttribute("data-position") || "") : "";
      var group = field(row, "group");
      preview.appendChild(block(field(row, "title").value, name, position, group ? group.value.trim() : ""));
    });
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) { return; }
    if (button.hasAttribute("data-chain-add")) {
      event.preventDefault();
      if (rows().length >= maxRows) { return; }
      container.appendChild(template.content.cloneNode(true));
      renumber();
      var added = rows()[rows().length - 1];
      field(added, "title").focus();
      return;
    }
    var command = button.getAttribute("data-chain-cmd");
    if (!command) { return; }
    event.preventDefault();
    var row = button.closest("[data-chain-row]");
    if (command === "remove") {
      row.remove();
    } else if (command === "up" && row.previousElementSibling) {
      container.insertBefore(row, row.previousElementSibling);
    } else if (command === "down" && row.nextElementSibling) {
      container.insertBefore(row.nextElementSibling, row);
    }
    renumber();
  });

  form.addEventListener("input", renderPreview);
  form.addEventListener("change", renderPreview);
  var previewButton = form.querySelector("[data-chain-preview-button]");
  if (previewButton) { previewButton.hidden = true; }  /* the preview follows every keystroke */
  renumber();
})();
